/** The official Java client's runner (scripts/official-clients/java): not built yet. */
import type { OracleWorld, PythonJob, PythonResult } from './oracle-world';

export async function runJavaClient(_world: OracleWorld, _jobs: readonly PythonJob[]): Promise<PythonResult[]> {
  throw new Error('the Java client runner is not built');
}
