// Preloaded by scripts/bench.js (NODE_OPTIONS=--require) into the app command's Node process: at exit, writes the
// process's CPU time (user + system, ms) to BENCH_CPU_FILE. CPU time is what the command costs; wall time also
// shows how busy the machine is.
const { writeFileSync } = require('fs');

process.on('exit', () => {
  const { user, system } = process.cpuUsage();
  writeFileSync(process.env.BENCH_CPU_FILE, String((user + system) / 1000));
});
