/**
 * The rehearsal report as a person sees it: rendered from fixture timelines, opened in a real
 * headless Chromium (Debian's package, driven by playwright-core), and checked on what is drawn, not
 * on the markup. Where no Chromium is found the test is skipped with a note, and the run's summary
 * names it as NOT RUN (test/support/not-run-reporter.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderRehearsalReport } from '../../../src/rehearsal/html-report.js';
import { SCENARIO_TIMELINES } from '../../support/scenario-timelines.js';
import { findChromium, launchChromium } from '../../support/chromium.js';

const chromium = findChromium();
const REPORTS = resolve('reports');

/** A bar as the browser laid it out (the page's DOM is untyped here: the project compiles without the DOM library). */
interface BarOnScreen {
  readonly startedAt: string;
  readonly x: number;
  readonly width: number;
  readonly height: number;
}

interface Edges {
  readonly left: number;
  readonly right: number;
  readonly bottom: number;
}

function edges(box: { readonly x: number; readonly y: number; readonly width: number; readonly height: number } | null): Edges {
  if (box === null) throw new Error('an element of the picture is not rendered');
  return { left: box.x, right: box.x + box.width, bottom: box.y + box.height };
}

/**
 * An element's box as the browser laid it out, or null when it has none (not rendered), read in the
 * page: the same rectangle Playwright's `boundingBox()` answers for an element of the main frame,
 * but for every element of a list in one round trip to the browser instead of one each (the test
 * measured a few hundred elements one by one: seconds of a loaded machine).
 */
interface LaidOut {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** What the page's elements answer about their layout (the project compiles without the DOM library). */
interface RenderedElement {
  getClientRects(): { readonly length: number };
  getBoundingClientRect(): LaidOut;
}

/** A lane as the browser laid it out: its group's box and its name's. */
interface LaneOnScreen {
  readonly stage: string;
  readonly box: LaidOut | null;
  readonly name: LaidOut | null;
}

/** What the page measured: its width, its scripts, and the edges of each picture and of the text in it. */
interface OverflowCheck {
  readonly scrollWidth: number;
  readonly width: number;
  readonly scripts: number;
  readonly pictures: readonly { readonly label: string; readonly frame: Edges; readonly texts: readonly (Edges & { readonly text: string })[] }[];
}

describe('reports/rehearsal.html in a headless browser', () => {
  it('shows each scenario as lanes of bars in time order, with its marks and differences, and nothing overflows', async ({ skip }) => {
    skip(chromium.kind === 'missing', chromium.kind === 'missing' ? `Chromium not found: ${chromium.reason}` : '');
    if (chromium.kind === 'missing') return;

    mkdirSync(REPORTS, { recursive: true });
    const file = join(REPORTS, 'rehearsal-report.browser.html');
    writeFileSync(
      file,
      renderRehearsalReport({
        generatedAt: '2026-12-07T02:00:00.000Z',
        scenarios: SCENARIO_TIMELINES,
        measures: [{ name: 'Change failure rate', value: '50 %', explanation: 'failed production deployments <of> all' }],
        phases: [{ name: 'synthesis', durationMs: 27_000 }],
        rehearsalTimeFactor: 60,
      }),
    );
    const browser = await launchChromium(chromium.path, { width: 1280, height: 900 });
    try {
      const page = await browser.context.newPage();
      const foreign: string[] = [];
      page.on('request', (request) => {
        if (!/^(file|data):/.test(request.url())) foreign.push(request.url());
      });
      await page.goto(pathToFileURL(file).href);

      for (const timeline of SCENARIO_TIMELINES) {
        const section = page.locator(`section[id="${timeline.scenario}"]`);
        expect(await section.isVisible(), `${timeline.scenario} is visible`).toBe(true);
        expect(await section.locator('h2').innerText()).toContain(timeline.scenario);

        // Every lane is drawn with its name readable left of the axis.
        const axis = await section.locator('line.axis').boundingBox();
        expect(axis, 'the time axis is drawn').not.toBeNull();
        if (axis === null) return;
        const lanes: LaneOnScreen[] = await section.locator('g.lane').evaluateAll((groups) => {
          const box = (element: RenderedElement | null): LaidOut | null => {
            if (element === null || element.getClientRects().length === 0) return null;
            const rect = element.getBoundingClientRect();
            return { x: rect.x, y: rect.y, width: rect.width, height: rect.height };
          };
          return groups.map((group) => ({ stage: group.getAttribute('data-stage') ?? '', box: box(group), name: box(group.querySelector('text.lane-name')) }));
        });
        for (const lane of timeline.lanes) {
          const drawn = lanes.filter((candidate) => candidate.stage === lane.stage);
          expect(drawn, `lane ${lane.stage} is drawn once`).toHaveLength(1);
          const { box: laneBox, name } = drawn[0] ?? { box: null, name: null };
          expect(laneBox?.height ?? 0, `lane ${lane.stage} has height`).toBeGreaterThan(5);
          expect(name?.width ?? 0, `lane ${lane.stage} shows its name`).toBeGreaterThan(10);
          expect((name?.x ?? 0) + (name?.width ?? 0), `the name of ${lane.stage} ends before the axis`).toBeLessThanOrEqual(axis.x);
        }

        // Every bar has width, lies on the axis, and bars sit in time order along it.
        const bars: BarOnScreen[] = await section.locator('g.bar').evaluateAll((groups) =>
          groups.map((group) => {
            const box = group.querySelector('rect')?.getBoundingClientRect();
            return { startedAt: group.getAttribute('data-started-at') ?? '', x: box?.x ?? 0, width: box?.width ?? 0, height: box?.height ?? 0 };
          }),
        );
        expect(bars).toHaveLength(timeline.lanes.reduce((count, lane) => count + lane.bars.length, 0));
        for (const bar of bars) {
          expect(bar.width, `bar starting ${bar.startedAt} has width`).toBeGreaterThan(2);
          expect(bar.height).toBeGreaterThan(5);
          expect(bar.x).toBeGreaterThanOrEqual(axis.x - 0.5);
          expect(bar.x + bar.width).toBeLessThanOrEqual(axis.x + axis.width + 0.5);
        }
        const byTime = [...bars].sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt));
        for (let index = 1; index < byTime.length; index += 1) {
          const [earlier, later] = [byTime[index - 1], byTime[index]];
          if (earlier === undefined || later === undefined) continue;
          const sameTime = Date.parse(earlier.startedAt) === Date.parse(later.startedAt);
          expect(later.x, `${later.startedAt} is drawn right of ${earlier.startedAt}`).toBeGreaterThan(sameTime ? earlier.x - 0.5 : earlier.x);
        }

        // Every mark is drawn on the axis and listed under the picture.
        const marks: (LaidOut | null)[] = await section.locator('g.mark').evaluateAll((groups) =>
          groups.map((group) => {
            if (group.getClientRects().length === 0) return null;
            const rect = group.getBoundingClientRect();
            return { x: rect.x, y: rect.y, width: rect.width, height: rect.height };
          }),
        );
        expect(marks).toHaveLength(timeline.marks.length);
        for (const box of marks) {
          expect(box?.width ?? 0).toBeGreaterThan(5);
          expect((box?.x ?? 0) + (box?.width ?? 0) / 2).toBeGreaterThanOrEqual(axis.x - 10);
        }
        expect(await section.locator('ol.marks li').count()).toBe(timeline.marks.length);
        const axisTitle = section.locator('text.axis-title');
        expect(await axisTitle.textContent()).toContain('rehearsal time');
        expect(await axisTitle.isVisible()).toBe(true);

        // A failed scenario says so and shows its differences, as text (escaped, not markup).
        const differences = section.locator('ul.differences li');
        if (timeline.passed) {
          expect(await differences.count()).toBe(0);
        } else {
          expect(await section.locator('h2 .fail').innerText()).toBe('UNEXPECTED');
          expect(await differences.allInnerTexts()).toEqual(timeline.differences);
          for (const difference of await differences.all()) expect(await difference.isVisible()).toBe(true);
        }
      }

      // The legend explains the colours and symbols.
      for (const kind of ['alarm', 'rollback', 'approval', 'review', 'notice', 'operator']) {
        expect(await page.locator(`.legend [data-kind="${kind}"]`).isVisible(), `legend shows ${kind}`).toBe(true);
      }
      expect(await page.locator('.legend [data-execution-type="ROLLBACK"]').isVisible()).toBe(true);

      // Nothing outside the page's width, no text outside its picture, no script, no network.
      // The project compiles without the DOM library, so the page is measured through locators and typed expressions.
      const width = await page.evaluate<number>('document.documentElement.clientWidth');
      const pictures: OverflowCheck['pictures'] = await Promise.all(
        (await page.locator('svg.timeline').all()).map(async (svg) => ({
          label: (await svg.getAttribute('aria-label')) ?? '',
          frame: edges(await svg.boundingBox()),
          texts: (
            await svg.locator('text').evaluateAll((texts) =>
              texts.map((text) => {
                const rect = text.getClientRects().length === 0 ? null : text.getBoundingClientRect();
                return { text: text.textContent ?? '', box: rect === null ? null : { x: rect.x, y: rect.y, width: rect.width, height: rect.height } };
              }),
            )
          ).map(({ text, box }) => ({ text, ...edges(box) })),
        })),
      );
      const overflow: OverflowCheck = {
        width,
        scrollWidth: await page.evaluate<number>('document.documentElement.scrollWidth'),
        scripts: await page.locator('script').count(),
        pictures,
      };
      const outside = overflow.pictures.flatMap(({ label, frame, texts }) => [
        ...(frame.right > overflow.width ? [`${label} ends at ${String(frame.right)} > ${String(overflow.width)}`] : []),
        ...texts.filter((text) => text.left < frame.left - 0.5 || text.right > frame.right + 0.5 || text.bottom > frame.bottom + 0.5).map((text) => `text "${text.text}" leaves ${label}`),
      ]);
      expect(overflow.pictures).toHaveLength(SCENARIO_TIMELINES.length);
      expect(outside).toEqual([]);
      expect(overflow.scrollWidth).toBeLessThanOrEqual(overflow.width);
      expect(overflow.scripts).toBe(0);
      expect(await page.locator('li.mark-item', { hasText: 'pushed 1a2b3c4d to main: "<script>alert(1)</script>"' }).isVisible()).toBe(true);
      expect(foreign).toEqual([]);

      await page.screenshot({ path: join(REPORTS, 'rehearsal-report.browser.png'), fullPage: true });

      // On a narrow screen the pictures shrink instead of running off the page.
      await page.setViewportSize({ width: 760, height: 900 });
      const fits = await page.evaluate<boolean>('document.documentElement.scrollWidth <= document.documentElement.clientWidth');
      expect(fits).toBe(true);
    } finally {
      await browser.close();
    }
  }, 180_000);
});
