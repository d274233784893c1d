import time
from tests.conftest import RunningBot
from tests.e2e.test_e2e_launch_day import _modal_of
from tests.support import eventually

def test_cmds(bot: RunningBot) -> None:
    users = [f"U0P{n:03d}" for n in range(300)]
    for u in users:
        bot.slack.add_user(u, tz="Europe/London")
    bot.driver.command(users[0], "join")
    t = time.perf_counter(); c = time.process_time()
    for u in users[1:]:
        bot.driver.command(u, "join")
    eventually(lambda: _modal_of(bot, users[-1]), timeout=10, what="x")
    n = len(users) - 1
    print(f"\nper command wall {(time.perf_counter()-t)/n*1000:.1f} ms, process cpu {(time.process_time()-c)/n*1000:.1f} ms")
