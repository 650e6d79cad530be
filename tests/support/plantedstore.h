#pragma once

#include <QString>

namespace Eventscope::Test {

class RedisServer;

// A seed-layout store with every defect that layout can have, for the audit's tests (core and GUI). What it plants
// (HLEN 12, 7 streams, 14 references):
//   hash e1..e13 without e4 and e12, plus "junk"; e7's payload is "not json"
//   s-a e1 e2 e3 (clean)            s-b e5 e7 e6 (order at 3; e7 a bad payload at 2 when JSON is required)
//   s-c e4 e8 (dangling-ref at 1)   s-d e9 e9 (duplicate-ref at 2)   s-e e3 (duplicate-ref with s-a)
//   s-f e11 e13 (id-gap at 2: beyond HLEN)   s-g e14 (dangling-ref beyond HLEN)
//   jobs: a work queue (not-a-stream)        config: a string (ignored)
// so the whole-store audit finds: order s-b 3 e6; dangling-ref s-c 1 e4 and s-g 1 e14; duplicate-ref s-d 2 e9 and
// e3 (s-a 3 or s-e 1, by SCAN order); id-gap e4, e12 and s-f 2 e13; orphan e10 and junk; foreign-id junk;
// not-a-stream jobs; count-mismatch: 13 findings (14 with bad-payload s-b 2 e7 when payloads must be JSON).
// Returns false and says why when a command failed.
bool plantSeedStoreDefects(RedisServer &server, QString *error = nullptr, int db = 0);

} // namespace Eventscope::Test
