// The OS child: prints the trace context it was started in, crashes on its first incarnation and
// stays up afterwards. A real service would hand TRACEPARENT to its own OpenTelemetry setup.
const incarnation = process.env.TRELLIS_INCARNATION;
console.log(`child incarnation ${incarnation}: TRACEPARENT=${process.env.TRACEPARENT ?? '(none)'}`);
if (incarnation === '0') setTimeout(() => process.exit(1), 200);
else setInterval(() => {}, 1 << 30);
