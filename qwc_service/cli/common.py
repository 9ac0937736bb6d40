"""What every command shares: its settings and database access, JSON output, error lines.

Loading a command must stay cheap, because ``qwc-service --help`` loads them all: the
database, the domains and the server are imported inside the functions that use them, and a
choice whose values are declared in a heavy module is a :class:`DeclaredChoice`.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cached_property, wraps
from importlib import import_module
from typing import TYPE_CHECKING, Any, TypeVar

import click

from qwc_service.config import Settings, SettingsError

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session, sessionmaker

    from qwc_service.connections.credentials import PasswordHashing

F = TypeVar("F", bound=Callable[..., Any])


class CliContext:
    """Settings and lazily built database access for one command."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @cached_property
    def engine(self) -> Engine:
        from qwc_service import models
        from qwc_service.db import check_schema, make_engine

        models.register()
        engine = make_engine(self.settings.database_url)
        check_schema(engine)
        return engine

    @cached_property
    def session_factory(self) -> sessionmaker[Session]:
        from qwc_service.db import make_session_factory

        return make_session_factory(self.engine)

    @cached_property
    def hashing(self) -> PasswordHashing:
        from qwc_service.connections.credentials import PasswordHashing

        return PasswordHashing(self.settings)

    @contextmanager
    def unit(self) -> Iterator[Session]:
        """One unit of work: commit on success, roll back on error."""
        from qwc_service.db import unit_of_work

        with unit_of_work(self.session_factory) as db:
            yield db


class DeclaredChoice(click.Choice):  # type: ignore[type-arg]
    """A choice among the values declared at ``module:name`` (an enum or a tuple of strings).

    The declaring module (a model's status enum, the record registry) is imported when the
    option is first used or its help shown, not when the command is loaded.
    """

    def __init__(self, declared_at: str) -> None:
        self.declared_at = declared_at
        self._loaded: tuple[str, ...] | None = None
        super().__init__(())

    @property
    def choices(self) -> tuple[str, ...]:
        if self._loaded is None:
            module, _, name = self.declared_at.partition(":")
            self._loaded = tuple(str(value) for value in getattr(import_module(module), name))
        return self._loaded

    @choices.setter
    def choices(self, _: Any) -> None:
        """Click's constructor sets the choices; these come from the declaration instead."""


def emit(data: Any, as_json: bool, human: Callable[[Any], str]) -> None:
    """Print ``data`` as one JSON document, or as text for a person."""
    if as_json:
        click.echo(json.dumps(data, indent=2, sort_keys=False, default=str))
    else:
        click.echo(human(data))


def friendly_errors(fn: F) -> F:
    """Turn expected failures into one line on stderr and a non-zero exit."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except click.ClickException:
            raise
        except Exception as exc:
            message = _failure_line(exc)
            if message is None:
                raise
            _fail(message)

    return wrapper  # type: ignore[return-value]


def _failure_line(exc: Exception) -> str | None:
    """The line an expected failure is reported with; None for a failure nobody expected."""
    # A database error can only come from a command that has imported the database modules,
    # so they are looked up, never imported, here.
    db = sys.modules.get("qwc_service.db")
    if db is not None and isinstance(exc, db.SchemaOutOfDate):
        return str(exc)
    sqlalchemy_exc = sys.modules.get("sqlalchemy.exc")
    if sqlalchemy_exc is not None:
        if isinstance(exc, sqlalchemy_exc.OperationalError):
            return f"database error: {str(exc.orig).strip().splitlines()[0]}"
        if isinstance(exc, sqlalchemy_exc.SQLAlchemyError):
            return f"database error: {type(exc).__name__}"
    if isinstance(exc, LookupError | ValueError | SettingsError | OSError):
        return str(exc.args[0] if exc.args else exc)
    return None


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


pass_cli = click.make_pass_decorator(CliContext)
