/** How many test files run at once; one local emulator is started for each. */
export const TEST_WORKERS = 2;
