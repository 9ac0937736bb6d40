"""What every command shares: its settings and database access, JSON output, error lines."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cached_property, wraps
from typing import Any, TypeVar

import click
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from qwc_service import models
from qwc_service.config import Settings, SettingsError
from qwc_service.connections.credentials import PasswordHashing
from qwc_service.db import (
    SchemaOutOfDate,
    check_schema,
    make_engine,
    make_session_factory,
    unit_of_work,
)

F = TypeVar("F", bound=Callable[..., Any])


class CliContext:
    """Settings and lazily built database access for one command."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @cached_property
    def engine(self) -> Engine:
        models.register()
        engine = make_engine(self.settings.database_url)
        check_schema(engine)
        return engine

    @cached_property
    def session_factory(self) -> sessionmaker[Session]:
        return make_session_factory(self.engine)

    @cached_property
    def hashing(self) -> PasswordHashing:
        return PasswordHashing(self.settings)

    @contextmanager
    def unit(self) -> Iterator[Session]:
        """One unit of work: commit on success, roll back on error."""
        with unit_of_work(self.session_factory) as db:
            yield db


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
        except SchemaOutOfDate as exc:
            _fail(str(exc))
        except OperationalError as exc:
            _fail(f"database error: {str(exc.orig).strip().splitlines()[0]}")
        except SQLAlchemyError as exc:
            _fail(f"database error: {type(exc).__name__}")
        except (LookupError, ValueError, SettingsError, OSError) as exc:
            message = exc.args[0] if exc.args else str(exc)
            _fail(str(message))

    return wrapper  # type: ignore[return-value]


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


pass_cli = click.make_pass_decorator(CliContext)
