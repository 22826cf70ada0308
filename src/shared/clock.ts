/** Time as a port, so decisions and tests never read the global clock. */
export interface Clock {
  now(): Date;
  /** Waits; a test clock advances instead of sleeping. */
  sleep(milliseconds: number): Promise<void>;
}

/** The real clock. */
export const systemClock: Clock = {
  now: () => new Date(),
  sleep: (milliseconds) =>
    new Promise((resolve) => {
      setTimeout(resolve, milliseconds);
    }),
};
