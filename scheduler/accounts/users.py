"""Accounts: set a password, disable, change roles, sign in (rate-limited), end sessions.

Passwords are hashed with scrypt (werkzeug's ``scrypt:32768:8:1``, memory-hard, salted). A
failed sign-in is recorded in the database; past ``login_per_account`` failures for an account,
or ``login_per_address`` from one address, within ``login_window``, sign-in is refused until the
oldest failure leaves the window — whether or not the password is right.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import bindparam, delete, func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from scheduler.accounts import roles as web_roles
from scheduler.accounts.models import LoginFailure, WebUser
from scheduler.accounts.roles import WebRole
from scheduler.config.web import WebConfig
from scheduler.people.models import Staff

HASH_METHOD = "scrypt:32768:8:1"
MIN_PASSWORD = 8


class AccountError(Exception):
    """A change refused (unknown 工号, weak password…); the message says why. Nothing changed."""


@dataclass(frozen=True)
class Account:
    """The signed-in person, as a request sees them."""

    id: int
    code: str
    name: str
    roles: frozenset[WebRole]
    version: int

    def may(self, role: WebRole) -> bool:
        return web_roles.allows(self.roles, role)


class Outcome(enum.Enum):
    OK = "ok"
    WRONG = "wrong"  # unknown account, wrong password, disabled, or left the staff list
    LIMITED = "limited"  # too many failures: try again later


@dataclass(frozen=True)
class SignIn:
    outcome: Outcome
    account: Account | None = None
    retry_after: dt.timedelta = dt.timedelta(0)


def _staff(session: Session, code: str) -> Staff:
    staff = session.scalar(select(Staff).where(Staff.code == code.strip()))
    if staff is None:
        raise AccountError(f"no member of staff with 工号 {code!r} (accounts are the imported staff: "
                           "`safeduty import staff FILE`)")
    return staff


def _user(session: Session, code: str) -> WebUser:
    user = session.scalar(select(WebUser).where(WebUser.staff_code == code.strip()))
    if user is None:
        raise AccountError(f"{code} has no account yet (`safeduty user set-password {code}`)")
    return user


def check_password(password: str, code: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password must have at least {MIN_PASSWORD} characters")
    if password.strip() == code.strip() or password.isdigit() and len(set(password)) <= 2:
        raise AccountError("the password is too easy to guess")


def set_password(session: Session, code: str, password: str, *, now: dt.datetime,
                 method: str = HASH_METHOD) -> tuple[WebUser, bool]:
    """Set (or reset) ``code``'s password, creating the account with the roles its staff roles
    suggest; returns (account, created). Every session signed in before ends."""
    staff = _staff(session, code)
    if not staff.active:
        raise AccountError(f"{staff.code} {staff.name} is no longer in the staff list")
    check_password(password, staff.code)
    user = session.scalar(select(WebUser).where(WebUser.staff_code == staff.code))
    created = user is None
    if user is None:
        user = WebUser(staff_code=staff.code, roles=web_roles.stored(web_roles.default_roles(staff)),
                       disabled=False, session_version=1, created_at=now)
        session.add(user)
    user.password_hash = generate_password_hash(password, method=method)
    user.session_version = (user.session_version or 0) + 1
    user.updated_at = now
    session.flush()
    return user, created


def set_disabled(session: Session, code: str, disabled: bool, *, now: dt.datetime) -> WebUser:
    user = _user(session, code)
    user.disabled = disabled
    if disabled:
        user.session_version += 1
    user.updated_at = now
    return user


def set_roles(session: Session, code: str, roles: frozenset[WebRole], *, now: dt.datetime) -> WebUser:
    user = _user(session, code)
    user.roles = web_roles.stored(roles)
    user.updated_at = now
    return user


def listing(session: Session) -> list[tuple[WebUser, Staff | None]]:
    users = list(session.scalars(select(WebUser).order_by(WebUser.staff_code)))
    staff = {s.code: s for s in session.scalars(select(Staff).where(
        Staff.code.in_([u.staff_code for u in users])))} if users else {}
    return [(u, staff.get(u.staff_code)) for u in users]


def end_sessions(session: Session, user_id: int) -> None:
    """Sign out everywhere: every cookie carrying the old version stops working."""
    user = session.get(WebUser, user_id)
    if user is not None:
        user.session_version += 1


# Read on every signed-in request: only the columns it needs, in a statement built once
# (a third of the cost of loading the two rows as objects).
_CURRENT = (select(WebUser.id, WebUser.staff_code, Staff.name, WebUser.roles, WebUser.session_version,
                   WebUser.disabled, Staff.active)
            .join(Staff, Staff.code == WebUser.staff_code).where(WebUser.id == bindparam("user_id")))


def current(session: Session, user_id: int, version: int) -> Account | None:
    """The account a session cookie names, if it may still be used (not disabled, same version,
    still in the staff list)."""
    row = session.execute(_CURRENT, {"user_id": user_id}).first()
    if row is None or row.disabled or not row.active or row.session_version != version:
        return None
    return Account(row.id, row.staff_code, row.name, web_roles.loaded(row.roles), row.session_version)


@lru_cache(maxsize=1)
def _decoy() -> str:
    return generate_password_hash("decoy password, never matches", method=HASH_METHOD)


def sign_in(session: Session, code: str, password: str, address: str, *, now: dt.datetime,
            config: WebConfig) -> SignIn:
    """Check a password, within the limits; records a failure, or the sign-in time."""
    code = code.strip()[:64]
    address = address[:64]
    since = now - config.login_window
    session.execute(delete(LoginFailure).where(LoginFailure.at < since))
    limited = _limited(session, LoginFailure.account, code, config.login_per_account, since, config) or \
        _limited(session, LoginFailure.address, address, config.login_per_address, since, config)
    if limited is not None:
        return SignIn(Outcome.LIMITED, retry_after=max(limited - now, dt.timedelta(seconds=1)))
    row = session.execute(select(WebUser, Staff).join(Staff, Staff.code == WebUser.staff_code)
                          .where(WebUser.staff_code == code)).first()
    user, staff = row if row is not None else (None, None)
    # The hash is checked even for an unknown account, so the answer's timing tells nothing.
    good = check_password_hash(user.password_hash if user and user.password_hash else _decoy(), password)
    if user is None or staff is None or not good or user.disabled or not staff.active:
        session.add(LoginFailure(at=now, account=code, address=address))
        return SignIn(Outcome.WRONG)
    user.last_login_at = now
    return SignIn(Outcome.OK, Account(user.id, user.staff_code, staff.name, web_roles.loaded(user.roles),
                                      user.session_version))


def _limited(session: Session, column: object, value: str, limit: int, since: dt.datetime,
             config: WebConfig) -> dt.datetime | None:
    """When sign-in opens again for ``value`` (None: it is open)."""
    count, oldest = session.execute(
        select(func.count(), func.min(LoginFailure.at)).where(column == value, LoginFailure.at >= since)  # type: ignore[arg-type]
    ).one()
    if count < limit or oldest is None:
        return None
    return oldest + config.login_window  # type: ignore[no-any-return]
