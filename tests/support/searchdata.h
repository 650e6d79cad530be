#pragma once

namespace Eventscope::Test {

class RedisServer;

// The search tests' commits (seed layout), written with admin(): e1..e20, odd ids Deposited and even Withdrawn
// with data.amount 10·n, data.tags ["t<n%3>"] and note "n<n>"; acc-1 lists e1..e10, acc-2 e11..e18, other e19 e20
// (e19 is text, e20 binary). Shared by tst_search and the GUI's tst_searchpanel.
void plantSearchCommits(RedisServer &server);

} // namespace Eventscope::Test
