"""The jobs layer's domain: job statuses and outcomes (`status`), run tracking (`runs`), cross-process
locks (`locks`), the Admin page's request queue (`queue`), the scheduler heartbeat (`heartbeat`), the
job catalogue (`catalog`), the Admin service (`admin`), the snapshot job (`snapshots`) and demo
seeding (`demo`). The nightly orchestrator's phases live here as later issues add them."""
