import { HELLO } from '../src';
test('hello', () => { expect(HELLO).toBe('constructs'); });
