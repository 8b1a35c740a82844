// Preloaded with --import: prints every file:// module the process loaded (ES modules and require() alike), as one
// `__LOADED__[...]` line on stderr at exit, for tests that check what a command parses.
import { registerHooks } from 'node:module';

const loaded = new Set();
registerHooks({
  load(url, context, nextLoad) {
    if (url.startsWith('file:')) loaded.add(url);
    return nextLoad(url, context);
  },
});
process.on('exit', () => process.stderr.write(`\n__LOADED__${JSON.stringify([...loaded])}\n`));
