import { InvalidArgumentError } from 'commander';
import { integerOption } from '../../src/cli/integer-option';

describe('integerOption', () => {
  const concurrency = integerOption({ min: 1, max: 1000 });

  test.each([['1', 1], ['16', 16], ['1000', 1000], [' 8 ', 8], ['+3', 3]])('accepts %j', (text, value) => {
    expect(concurrency(text)).toBe(value);
  });

  test.each(['0', '-3', '1001', 'abc', '', '1.5', '1e3', '0x10', '10s', '99999999999999999999'])('fails on %j, saying the range', (text) => {
    expect(() => concurrency(text)).toThrow(InvalidArgumentError);
    expect(() => concurrency(text)).toThrow('Expected a whole number from 1 to 1000.');
  });

  test('without bounds any whole number passes, negative ones too', () => {
    const retries = integerOption({ unit: 'retries, negative = unlimited' });
    expect(retries('-1')).toBe(-1);
    expect(() => retries('many')).toThrow('Expected a whole number (retries, negative = unlimited).');
  });

  test('a lower bound alone is said as ≥', () => {
    expect(() => integerOption({ min: 1, unit: 'seconds' })('0')).toThrow('Expected a whole number ≥ 1 (seconds).');
  });
});
