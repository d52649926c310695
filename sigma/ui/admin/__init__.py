"""The Admin page's sections: the operations console (scheduler, queue, runs), data quality, users.

`console` (scheduler status, next runs, the buttons that queue a run), `runs` (the live progress
fragment and the phase timeline), `quality` (the data-quality dashboard), `users` (user
management and the audit log); `timeline` turns runs into the Gantt's frame (no Streamlit).
"""
