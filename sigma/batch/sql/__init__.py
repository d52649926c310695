"""Every class of the batch package that takes a Session: run tracking (`runs`), the request queue
(`queue`), cross-process locks (`locks`) and the scheduler heartbeat (`heartbeat`). With demo
seeding, the batch package's only importer of sigma.db."""
