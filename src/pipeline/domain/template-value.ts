/**
 * A CloudFormation template value as text, for reading a synthesized template before deployment:
 * intrinsic functions are shown for what they are, never resolved.
 *
 * Pure: no CDK, no AWS SDK, no I/O.
 */

/** True for a plain object (not an array, not null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A template value as text. Intrinsic functions do not resolve before deployment, so they are shown
 * for what they are: `{ Ref: X }` as `${Ref:X}`, `Fn::GetAtt` as `${GetAtt:X.Arn}`, `Fn::Join` joined
 * with its parts rendered, `Fn::Sub` as its template string (already `${...}`), any other function
 * as `${Name:argument}`. Never throws.
 */
export function renderValue(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return value.map(renderValue).join(',');
  if (!isRecord(value)) return '';
  const keys = Object.keys(value);
  const [key] = keys;
  if (keys.length === 1 && key !== undefined) {
    const argument = value[key];
    if (key === 'Ref') return `\${Ref:${renderValue(argument)}}`;
    if (key === 'Fn::GetAtt') return `\${GetAtt:${Array.isArray(argument) ? argument.map(renderValue).join('.') : renderValue(argument)}}`;
    if (key === 'Fn::Join' && Array.isArray(argument) && Array.isArray(argument[1])) return argument[1].map(renderValue).join(renderValue(argument[0]));
    if (key === 'Fn::Sub') return renderValue(Array.isArray(argument) ? argument[0] : argument);
    if (key.startsWith('Fn::')) return `\${${key.slice('Fn::'.length)}:${renderValue(argument)}}`;
  }
  return JSON.stringify(value);
}
