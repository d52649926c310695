"""Insight cards: the rules of DOMAIN.md ("Activity feed and insights") that turn analytics into cards.

Pure rules (`rules`, `clusters`) take numbers, series and frames and return `Card`s; `book` applies
them to one portfolio's inputs (the worker task of the nightly phase); `sql/` stores the cards;
`service` is the entry for pages (a user's cards, dismiss) and for the batch (`refresh`).
"""
