"""The work inflow does when nobody is waiting: after a request's answer, and on the clock.

- `after`: the side effects a request states (`After`): written in its transaction, carried
  out right after it commits, on `background`'s workers.
- `clock`: APScheduler 3 as the timer: a planning pass every 5 minutes, a delivery pass every
  30 s, and the housekeeping.
- `planner`: places what every routine wants (`wants`, one module a routine, behind a
  registry) at each person's own time (`slots`), within their weekly budget.
- `debriefs`: each channel's recurring debrief; `reviews`: the guide owners' monthly lists.
- `gate`: the last check before a nudge goes; `controls`: a person's snooze and stop.
- `deliverer`: claims due outbox rows and sends them, exactly once (`bot.services.outbox`).

The `users.info` profile cache they read is `bot.profiles`.
"""
