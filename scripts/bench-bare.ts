/** A bare mock run of one stack (no pack): the baseline `npm run bench` compares the offline check with. */
import { recordStack } from "./check";

void recordStack(process.argv[2] ?? "prod").then((r) => {
  console.log(r.length);
  process.exit(0);
});
