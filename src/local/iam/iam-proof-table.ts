/**
 * One line per role: how many recorded calls it was allowed and denied, and how many of its grants
 * a call used, a documented service need explains, or nothing uses. What `npm test` prints.
 */
import type { GrantUse } from './grant-usage.js';
import type { CallVerdict } from './simulate-calls.js';

/** The per-role table, widest role name first column. */
export function formatRoleTable(verdicts: readonly CallVerdict[], uses: readonly GrantUse[]): string {
  const roles = [...new Set([...verdicts.map((verdict) => verdict.role), ...uses.map((use) => use.role)])].sort();
  const rows = roles.map((role) => {
    const mine = verdicts.filter((verdict) => verdict.role === role);
    const grants = uses.filter((use) => use.role === role);
    const count = (status: GrantUse['status']): number => grants.filter((use) => use.status === status).length;
    return [role, String(mine.filter((verdict) => verdict.allowed).length), String(mine.filter((verdict) => !verdict.allowed).length), String(count('used')), String(count('service')), String(count('unused'))];
  });
  const header = ['role', 'calls allowed', 'denied', 'grants used', 'service need', 'unused'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}
