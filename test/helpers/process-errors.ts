/**
 * Records what would end a Node process — uncaught exceptions and unhandled rejections — while a test
 * attacks a server running inside the test's own process.
 */
export function watchProcessErrors() {
  const errors: unknown[] = [];
  const record = (error: unknown) => void errors.push(error);
  process.on('uncaughtException', record);
  process.on('unhandledRejection', record);
  return {
    errors,
    stop() {
      process.off('uncaughtException', record);
      process.off('unhandledRejection', record);
    },
  };
}
