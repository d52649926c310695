"""The database's last guard (migration 0004): rows with infinite or absurd numbers are refused
by the database itself, on SQLite (triggers) and PostgreSQL (CHECK constraints), whatever path
wrote them; existing rows are checked (and cached prices cleaned) when the migration runs."""

from __future__ import annotations

import math
from datetime import date

import pytest
from alembic import command
from sqlalchemy import Connection, func, select, text
from sqlalchemy.exc import IntegrityError

from sigma.db.migrate import alembic_config
from sigma.db.models import Price
from tests.conftest import Database

HUGE = float("1" * 400)  # what a 400-digit cell parses to: inf


def _owner_and_book(conn: Connection) -> int:
    conn.execute(
        text(
            "INSERT INTO users (username, name, email, password_hash, role, is_active) "
            "VALUES ('u', 'U', '', '-', 'analyst', TRUE)"
        )
    )
    uid: int = conn.execute(text("SELECT id FROM users WHERE username = 'u'")).scalar_one()
    conn.execute(
        text(
            "INSERT INTO portfolios (owner_id, name, description, base_currency, benchmark, cash, archived) "
            "VALUES (:u, 'B', '', 'USD', 'SPY', 100, FALSE)"
        ),
        {"u": uid},
    )
    return int(conn.execute(text("SELECT id FROM portfolios")).scalar_one())


def _position(conn: Connection, pid: int, **values: object) -> None:
    row = {"p": pid, "q": 10.0, "e": 100.0, "s": None, "x": None, "m": 1.0} | values
    conn.execute(
        text(
            "INSERT INTO positions (portfolio_id, symbol, position_type, quantity, entry_price, entry_date, "
            "strike, exit_price, multiplier, notes) VALUES (:p, 'AAPL', 'LONG', :q, :e, '2026-01-02', :s, :x, :m, '')"
        ),
        row,
    )


def _refused(db: Database, statement: str, params: dict[str, object], constraint: str) -> None:
    with pytest.raises(IntegrityError, match=constraint), db.engine.begin() as conn:
        conn.execute(text(statement), params)


@pytest.mark.parametrize(
    ("column", "value", "constraint"),
    [
        ("q", math.inf, "ck_positions_quantity"),
        ("q", HUGE, "ck_positions_quantity"),
        ("q", 1e308, "ck_positions_quantity"),
        ("q", 1e9 * (1 + 1e-12), "ck_positions_quantity"),
        ("e", -math.inf, "ck_positions_entry_price"),
        ("e", 0.0, "ck_positions_entry_price"),
        ("s", math.inf, "ck_positions_strike"),
        ("x", -1.0, "ck_positions_exit_price"),
        ("m", 1e308, "ck_positions_multiplier"),
    ],
)
def test_a_position_with_an_infinite_or_absurd_number_inserted_directly_is_refused_by_the_database(
    db: Database, column: str, value: float, constraint: str
) -> None:
    with db.engine.begin() as conn:
        pid = _owner_and_book(conn)
    with pytest.raises(IntegrityError, match=constraint), db.engine.begin() as conn:
        _position(conn, pid, **{column: value})
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM positions")).scalar_one() == 0


def test_positions_at_the_bounds_are_stored_and_an_update_to_inf_is_refused(db: Database) -> None:
    with db.engine.begin() as conn:
        pid = _owner_and_book(conn)
        _position(conn, pid, q=1e9, e=1e7, s=1e7, x=0.0, m=1e4)
    _refused(db, "UPDATE positions SET quantity = :v", {"v": math.inf}, "ck_positions_quantity")
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT quantity, entry_price FROM positions")).one() == (1e9, 1e7)


def test_nan_never_lands_in_a_position_on_either_database(db: Database) -> None:
    with db.engine.begin() as conn:
        pid = _owner_and_book(conn)
    # PostgreSQL orders NaN above every number (the check fails); SQLite stores NaN as NULL (NOT NULL fails)
    with pytest.raises(IntegrityError), db.engine.begin() as conn:
        _position(conn, pid, q=math.nan)


@pytest.mark.parametrize(
    ("statement", "params", "constraint"),
    [
        ("UPDATE portfolios SET cash = :v", {"v": math.inf}, "ck_portfolios_cash"),
        ("UPDATE portfolios SET cash = :v", {"v": -0.01}, "ck_portfolios_cash"),
        ("UPDATE portfolios SET cash = :v", {"v": 1e308}, "ck_portfolios_cash"),
        (
            "INSERT INTO cash_flows (portfolio_id, date, kind, amount, note) "
            "SELECT id, '2026-01-02', 'deposit', :v, '' FROM portfolios",
            {"v": HUGE},
            "ck_cash_flows_amount",
        ),
        (
            "INSERT INTO cash_flows (portfolio_id, date, kind, amount, note) "
            "SELECT id, '2026-01-02', 'withdrawal', :v, '' FROM portfolios",
            {"v": -1e13},
            "ck_cash_flows_amount",
        ),
    ],
)
def test_cash_and_cash_flows_out_of_range_are_refused_by_the_database(
    db: Database, statement: str, params: dict[str, object], constraint: str
) -> None:
    with db.engine.begin() as conn:
        _owner_and_book(conn)
    _refused(db, statement, params, constraint)
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT cash FROM portfolios")).scalar_one() == 100.0
        assert conn.execute(text("SELECT count(*) FROM cash_flows")).scalar_one() == 0


def test_an_infinite_target_is_refused_and_a_blank_one_is_stored(db: Database) -> None:
    with db.engine.begin() as conn:
        _position(conn, _owner_and_book(conn))
    insert = "INSERT INTO target_prices (position_id, target_eoy, downside, note) SELECT id, :t, :d, '' FROM positions"
    _refused(db, insert, {"t": math.inf, "d": None}, "ck_target_prices_target_eoy")
    _refused(db, insert, {"t": 120.0, "d": 0.0}, "ck_target_prices_downside")
    with db.engine.begin() as conn:
        conn.execute(text(insert), {"t": 120.0, "d": None})
        assert conn.execute(text("SELECT target_eoy, downside FROM target_prices")).one() == (120.0, None)


@pytest.mark.parametrize(
    ("close", "adj_close", "high", "constraint"),
    [
        (0.0, 1.0, None, "ck_prices_close"),
        (-5.0, 1.0, None, "ck_prices_close"),
        (math.inf, 1.0, None, "ck_prices_close"),
        (1.0, 1e10, None, "ck_prices_adj_close"),
        (1.0, 1.0, math.inf, "ck_prices_high"),
    ],
)
def test_a_zero_negative_or_infinite_price_inserted_directly_is_refused(
    db: Database, close: float, adj_close: float, high: float | None, constraint: str
) -> None:
    statement = (
        "INSERT INTO prices (symbol, date, high, close, adj_close, source) "
        "VALUES ('SPY', '2026-01-02', :h, :c, :a, 'csv')"
    )
    _refused(db, statement, {"c": close, "a": adj_close, "h": high}, constraint)
    with db.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Price)) == 0


def _migrate(db: Database, revision: str, down: bool = False) -> None:
    cfg = alembic_config(db.url)
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        (command.downgrade if down else command.upgrade)(cfg, revision)


def test_the_migration_cleans_unusable_cached_prices_and_stops_on_an_infinite_position(db: Database) -> None:
    _migrate(db, "0003", down=True)
    try:
        with db.engine.begin() as conn:
            bars = (
                "INSERT INTO prices (symbol, date, open, close, adj_close, source) VALUES (:s, :d, :o, :c, :a, 'csv')"
            )
            conn.execute(
                text(bars),
                [
                    {"s": "SPY", "d": date(2026, 1, 2), "o": 0.0, "c": 100.0, "a": 99.0},
                    {"s": "SPY", "d": date(2026, 1, 5), "o": 100.0, "c": 0.0, "a": 0.0},
                ],
            )
            pid = _owner_and_book(conn)
            _position(conn, pid, q=math.inf)
        with pytest.raises(
            RuntimeError, match=r"positions\.quantity outside its range in rows 1 \(inf\).*fix or delete"
        ):
            _migrate(db, "head")
        with db.engine.begin() as conn:
            conn.execute(text("DELETE FROM positions"))
        _migrate(db, "head")
        with db.engine.connect() as conn:
            rows = conn.execute(text("SELECT date, open, close FROM prices")).all()
        assert [(str(d)[:10], o, c) for d, o, c in rows] == [("2026-01-02", None, 100.0)]
    finally:
        _migrate(db, "head")
