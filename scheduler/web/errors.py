"""Error pages in Chinese, with the right status and nothing internal: no traceback, no secret.

JSON paths (/api/, /metrics) get a JSON body instead. A 500 is logged with its traceback on the
server side only.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger("safeduty.web")

TITLES = {
    400: ("请求有误", "请求中有无法识别的内容，请检查后重试。"),
    401: ("需要登录", "请先登录。"),
    403: ("无权访问", "当前账号没有访问此页面的权限。"),
    404: ("页面不存在", "没有找到这个页面，可能链接有误或已失效。"),
    405: ("不支持的操作", "此页面不支持这种请求方式。"),
    409: ("无法执行", "当前状态不允许这个操作，未作任何更改。"),
    413: ("提交内容过大", "提交的内容超过了允许的大小，未作任何更改。"),
    429: ("尝试次数过多", "请稍后再试。"),
    500: ("系统内部错误", "处理请求时出错，已记录在日志中。请稍后重试，或联系系统管理员。"),
    503: ("服务暂不可用", "请稍后重试。"),
}


def _json_wanted() -> bool:
    return request.path.startswith(("/api/", "/metrics", "/healthz", "/readyz"))


def page(status: int, detail: str = "") -> Response:
    title, default = TITLES.get(status, TITLES[500] if status >= 500 else TITLES[400])
    if _json_wanted():
        response = jsonify(error=title, message=detail or default, status=status)
    else:
        response = make_response(render_template("web/errors/error.html.j2", status=status, title=title,
                                                 message=detail or default))
    response.status_code = status
    return response


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf(error: CSRFError) -> Response:
        return page(400, "表单已过期或来源无法确认（缺少安全令牌），未作任何更改。请返回，刷新页面后重新提交。")

    @app.errorhandler(HTTPException)
    def http(error: HTTPException) -> Response | HTTPException:
        status = error.code or 500
        if status < 400:
            return error
        # Our own aborts carry a Chinese description; werkzeug's defaults are English: not shown.
        description = error.description or ""
        detail = description if any("\u4e00" <= ch <= "\u9fff" for ch in description) else ""
        response = page(status, detail)
        if status == 405:
            response.headers["Allow"] = ", ".join(getattr(error, "valid_methods", None) or [])
        if status == 429 and (retry := getattr(error, "retry_after", None)):
            response.headers["Retry-After"] = str(int(retry))
        return response

    @app.errorhandler(Exception)
    def crash(error: Exception) -> Response:
        if isinstance(error, HTTPException):  # pragma: no cover - handled above
            return page(error.code or 500)
        log.exception("unhandled error in %s %s", request.method, request.path)
        return page(InternalServerError.code)
