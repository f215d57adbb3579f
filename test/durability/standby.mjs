// A callscript server for restart tests: loads the server's code, says `standby.ready`, and
// runs `callscript serve <args>` once a line arrives on stdin, so the test pays for loading
// while the previous server still runs (see spawnStandby in server-process.ts).
// argv: node standby.mjs <path of bin/callscript.js> serve <args…>
const { main } = await import('../../dist/cli/main.js');
await import('../../dist/cli/commands/serve.js');
await import('../../dist/store/sqlite-store.js');
await import('../../dist/store/redis-store.js');
process.stdout.write('{"msg":"standby.ready"}\n');
process.stdin.once('data', () => {
  process.stdin.pause();
  main([process.argv[0], ...process.argv.slice(2)]).then(
    (code) => {
      if (typeof code === 'number') process.exitCode = code;
    },
    (err) => {
      console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
      process.exitCode = 1;
    },
  );
});
