import { DifyValidationError, VALIDATION_MESSAGE_FORMAT } from '../../lib/core/validation';

/** The message `fn` throws (a DifyValidationError in the project's format), or undefined when it returns. */
export function refusal(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    expect(e).toBeInstanceOf(DifyValidationError);
    expect((e as Error).name).toBe('DifyValidationError');
    expect((e as Error).message).toMatch(VALIDATION_MESSAGE_FORMAT);
    return (e as Error).message;
  }
}
