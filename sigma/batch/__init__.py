"""The jobs layer's domain: job statuses and outcomes (`status`), what a run, a queued request, a busy
lock and a heartbeat look like (`runs`, `queue`, `locks`, `heartbeat`), the job catalogue (`catalog`),
the Admin service (`admin`), the snapshot job (`snapshots`) and demo seeding (`demo`). Every class
that takes a Session lives in `sql/` (run tracking, the request queue, lease locks, the heartbeat row).
The nightly orchestrator's phases live here as later issues add them."""
