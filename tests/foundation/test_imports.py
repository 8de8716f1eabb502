from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from sqlalchemy import select

from scheduler.app import App
from scheduler.cli import main
from scheduler.people.imports import import_enterprises, import_staff
from scheduler.people.models import Enterprise, Staff
from scheduler.tabular import DataError
from scheduler.vocab import Role
from tests.support.project import EXAMPLES

STAFF_HEADER = "工号,姓名,角色,班组,手机,邮箱\n"


def staff_names(app: App) -> dict[str, bool]:
    with app.sessions() as session:
        return {s.name: s.active for s in session.scalars(select(Staff))}


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_staff_csv_is_read_in_every_encoding_excel_writes(app: App, tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "staff.csv"
    path.write_text(STAFF_HEADER + "S1,王小明,值班员、带班领导,安全科,13800000021,wxm@example.cn\n", encoding=encoding)
    with app.sessions.begin() as session:
        import_staff(session, path)
    with app.sessions() as session:
        person = session.scalars(select(Staff).where(Staff.code == "S1")).one()
    assert person.name == "王小明"
    assert person.role_set == {Role.OFFICER, Role.LEADER}
    assert person.team == "安全科"


def test_english_headers_work_too(app: App, tmp_path: Path) -> None:
    path = tmp_path / "staff.csv"
    path.write_text("name,roles,mobile\nLi Lei,officer,13800000022\n", encoding="utf-8")
    with app.sessions.begin() as session:
        result = import_staff(session, path)
    assert (result.created, result.updated) == (1, 0)
    assert "Li Lei" in staff_names(app)


def test_enterprises_are_read_from_xlsx_with_numbers_kept_whole(app: App, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["编码", "名称", "类别", "等级", "主要负责人", "主要负责人手机"])
    sheet.append(["E-1", "测试景区", "景区", "4a", "刘一", 13900000999])  # Excel stores the mobile as a number
    path = tmp_path / "enterprises.xlsx"
    book.save(path)
    with app.sessions.begin() as session:
        import_enterprises(session, path, channels={"console"})
    with app.sessions() as session:
        enterprise = session.scalars(select(Enterprise).where(Enterprise.code == "E-1")).one()
    assert (enterprise.category, enterprise.grade, enterprise.principal_mobile) == ("scenic_area", "4A", "13900000999")


def test_a_bad_file_lists_every_bad_row_and_writes_nothing(app: App, tmp_path: Path) -> None:
    app.service.sync_data()
    before = staff_names(app)
    path = tmp_path / "staff.csv"
    path.write_text(
        STAFF_HEADER
        + "S1,新人甲,值班员,安全科,13800000031,\n"
        + "S2,新人乙,厨师,安全科,13800000032,\n"
        + "S3,新人丙,值班员,安全科,1380000,\n"
        + "S1,新人丁,值班员,安全科,13800000034,\n"
        + "S5,新人戊,值班员,安全科,,\n",
        encoding="utf-8",
    )
    with pytest.raises(DataError) as caught, app.sessions.begin() as session:
        import_staff(session, path)
    assert caught.value.problems == [
        f"{path}:3: 角色: unknown staff role '厨师' (one of: 带班领导、值班员、监管员、安全科负责人、厅领导、系统管理员)",
        f"{path}:4: 手机: '1380000' is not an 11-digit mobile number",
        f"{path}:5: 工号/姓名: 'S1' already used on row 2",
        f"{path}:6: 新人戊 has neither mobile nor e-mail",
    ]
    assert staff_names(app) == before


def test_unknown_and_missing_columns_are_named(app: App, tmp_path: Path) -> None:
    path = tmp_path / "enterprises.csv"
    path.write_text("编码,名称,电话号码\nE1,某单位,0351-1234567\n", encoding="utf-8")
    with pytest.raises(DataError) as caught, app.sessions.begin() as session:
        import_enterprises(session, path, channels=set())
    assert caught.value.problems[0].startswith(f"{path}:1: unknown column '电话号码' (known columns: 编码、名称、类别")
    assert caught.value.problems[1] == f"{path}:1: missing required column '类别'"


def test_a_file_in_neither_utf8_nor_gbk_is_refused(app: App, tmp_path: Path) -> None:
    path = tmp_path / "staff.csv"
    path.write_bytes(b"\xff\xfe\x00\x81\x00")
    with pytest.raises(DataError) as caught, app.sessions.begin() as session:
        import_staff(session, path)
    assert caught.value.problems == [f"{path}: not UTF-8 or GBK text (the byte at offset 0, line 1, is neither; "
                                     "save it as 'CSV UTF-8' or as .xlsx)"]


def test_a_synced_file_is_the_whole_list_so_missing_people_are_deactivated(app: App, project: Path) -> None:
    app.service.sync_data()
    staff_file = project.parent / "staff.csv"
    lines = staff_file.read_text(encoding="utf-8").splitlines()
    staff_file.write_text("\n".join(line for line in lines if "郭志刚" not in line) + "\n", encoding="utf-8")
    assert app.service.sync_data() == 1
    names = staff_names(app)
    assert names["郭志刚"] is False and names["韩丽萍"] is True
    assert app.service.sync_data() == 0  # unchanged file: nothing to do


def test_the_import_command_exits_2_naming_the_row_and_changes_nothing(project: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(main, ["--config", str(project), "import", "enterprises", str(EXAMPLES / "enterprises.csv")])
    assert ok.exit_code == 0, ok.output
    assert "8 new, 0 updated, 0 deactivated" in ok.output
    bad = tmp_path / "bad.csv"
    bad.write_text("编码,名称,类别,主要负责人,主要负责人手机\nX1,某网吧,网吧,赵六,13900000000\nX2,某某,游乐园,钱七,13900000001\n",
                   encoding="gbk")
    result = runner.invoke(main, ["--config", str(project), "import", "enterprises", str(bad)])
    assert result.exit_code == 2
    assert f"{bad}:3: 类别: unknown enterprise category '游乐园'" in result.output
    assert "nothing was changed" in result.output
