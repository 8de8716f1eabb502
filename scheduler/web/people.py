"""人员 and 企业: what is imported, with contacts and channels (signed-in accounts only)."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from scheduler.accounts.roles import WebRole
from scheduler.people.directory import Directory
from scheduler.vocab import Category, ContactDuty
from scheduler.web import params
from scheduler.web.access import allow
from scheduler.web.db import reads

bp = Blueprint("people", __name__)
CATEGORIES = {c.value: c.label for c in Category}


@bp.get("/staff")
@allow(WebRole.VIEWER)
def staff() -> str:
    web = current_app.extensions["safeduty"]
    with reads() as db:
        directory = Directory.load(db, web.config)
    groups = {name: (spec.label or name, {s.code for s in directory.members(name)})
              for name, spec in web.config.groups.items()}
    return render_template("web/people/staff.html.j2", staff=directory.staff, groups=groups, categories=CATEGORIES)


@bp.get("/enterprises")
@allow(WebRole.VIEWER)
def enterprises() -> str:
    web = current_app.extensions["safeduty"]
    category = params.choice("category", CATEGORIES)
    with reads() as db:
        directory = Directory.load(db, web.config)
    found = directory.enterprises([Category(category)] if category else ())
    return render_template("web/people/enterprises.html.j2", enterprises=found, categories=CATEGORIES,
                           category=category, duties=list(ContactDuty))
