/**
 * The client's number flags (verify, infer, bench) take plain decimal only: Number() alone
 * read `--parallel 1e2` as 100, `--stability-percentage 0x10` as 16 and "" as 0, while the
 * bootstrap commands' counts (lib/parallel.ts parseCount) already refused them.
 */
import { InvalidArgumentError } from 'commander';
import { decimalNumber, parsePercentile, parsePort, parsePositiveInt, parseSeconds, parseWaitSeconds } from '../../client/cli-args';

test.each([
  ['12', 12], [' 7 ', 7], ['0.5', 0.5], ['.5', 0.5], ['3.', 3], ['-4', -4], ['0', 0],
])('decimal %j reads as %d', (text, value) => {
  expect(decimalNumber(text)).toBe(value);
});

test.each(['', ' ', '1e3', '0x10', '0b1', '0o7', 'Infinity', '-Infinity', 'NaN', '1_000', '+5', '1,5', '٣', '１２', '12abc', '--1'])('%j is not a decimal number', (text) => {
  expect(decimalNumber(text)).toBeNaN();
});

test.each([
  ['parsePositiveInt', parsePositiveInt, ['1e2', '0x10', '', '0']],
  ['parsePort', parsePort, ['8e3', '0x1F90', '', '65536']],
  ['parseSeconds', parseSeconds, ['1e1', '0x5', '', '0']],
  ['parseWaitSeconds', parseWaitSeconds, ['1e4', '0xff', '']],
  ['parsePercentile', parsePercentile, ['9e1', '0x5a', '']],
] as [string, (v: string) => number, string[]][])('%s refuses what only Number() would read', (_name, parse, bad) => {
  for (const text of bad) expect(() => parse(text)).toThrow(InvalidArgumentError);
});

test('the plain forms still pass', () => {
  expect([parsePositiveInt('10'), parsePort('30800'), parseSeconds('2.5'), parseWaitSeconds('600'), parsePercentile('95')]).toEqual([10, 30800, 2.5, 600, 95]);
});
