"""The virtual phone page (``GET /phone``): static HTML, one ES module and CSS."""

from flask import Blueprint, redirect, send_from_directory

phone_page = Blueprint("phone", __name__, static_folder="static", static_url_path="/phone/assets")

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self' data: http: https:; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)


@phone_page.get("/phone")
def phone():
    return send_from_directory(phone_page.static_folder, "phone.html")


@phone_page.get("/")
def home():
    return redirect("/phone")


@phone_page.after_request
def headers(response):
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response
