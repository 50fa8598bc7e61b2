"""Attachments on work orders (issue 15, item 8): types by content, EXIF location dropped
unless kept as handling proof, thumbnails, the order page's 404 rule for the files, audit."""

import io
from pathlib import Path

from PIL import ExifTags, Image
from sqlalchemy import select

from hotline.core.accounts.roles import Role
from hotline.core.orders.workflow import Action
from hotline.models import Attachment, AuditEvent, User, WorkOrder
from hotline.plugins import db
from tests import factories

DONGCHENG = "东城区城市管理委员会"  # where the test orders go (Tiananmen)
CHAOYANG = "朝阳区城市管理委员会"
HTML = b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>"
GPS = {1: "N", 2: (39.0, 54.0, 27.0), 3: "E", 4: (116.0, 23.0, 50.0)}


def _jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "TestPhone"
    exif[ExifTags.IFD.GPSInfo] = GPS
    out = io.BytesIO()
    Image.new("RGB", (800, 600), (200, 30, 30)).save(out, "JPEG", exif=exif)
    return out.getvalue()


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (1000, 500), (0, 120, 200, 255)).save(out, "PNG")
    return out.getvalue()


def _gps_of(data: bytes) -> dict:
    return dict(Image.open(io.BytesIO(data)).getexif().get_ifd(ExifTags.IFD.GPSInfo))


def _get(browser, url):
    """GET a file and close the response (the file it streams from)."""
    response = browser.get(url)
    response.get_data()
    response.close()
    return response


def _files(app) -> list[Path]:
    root = Path(app.instance_path) / "attachments"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _rows(query, number=None) -> list[tuple]:
    def read():
        q = select(Attachment).order_by(Attachment.id)
        if number:
            q = q.join(WorkOrder).where(WorkOrder.number == number)
        return [
            (a.id, a.kind, a.original_name, a.media_type, a.location_kept, a.has_thumbnail)
            for a in db.session.scalars(q)
        ]

    return query(read)


def _attach_events(query, number) -> list[str]:
    return query(
        lambda: [
            e.note
            for e in db.session.scalars(
                select(AuditEvent)
                .join(WorkOrder, WorkOrder.id == AuditEvent.order_id)
                .where(WorkOrder.number == number, AuditEvent.action == "attach")
            )
        ]
    )


def test_an_html_file_named_jpg_is_refused_and_nothing_is_stored(app, make, login, query):
    operator = login(make(factories.user, Role.OPERATOR))
    form = {**factories.call_form(), "attachments": [(io.BytesIO(HTML), "photo.jpg", "image/jpeg")]}
    response = operator.post("/intake", form, content_type="multipart/form-data")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "不是JPEG、PNG、WebP图片或PDF文档" in page and "未保存任何文件" in page
    assert query(lambda: db.session.scalar(select(WorkOrder.id))) is None  # no order either
    order = make(factories.order)
    response = operator.post(
        f"/orders/{order.number}/attachments",
        {"attachments": [(io.BytesIO(HTML), "x.jpg")]},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "不是JPEG、PNG、WebP图片或PDF文档" in response.get_data(as_text=True)
    assert _rows(query) == [] and _files(app) == []
    # The intake form stays valid without files.
    assert operator.post("/intake", factories.call_form()).status_code == 302


def test_exif_location_is_dropped_at_intake_and_kept_only_when_the_unit_asks(
    app, make, login, query
):
    photo = _jpeg_with_gps()
    assert _gps_of(photo)  # the test's photo does carry a location
    operator = login(make(factories.user, Role.OPERATOR))
    form = {
        **factories.call_form(),
        "keep_location": "1",  # not the operator's to ask: intake photos never keep it
        "attachments": [(io.BytesIO(photo), "现场.jpg"), (io.BytesIO(_png()), "../../map.png")],
    }
    response = operator.post("/intake", form, content_type="multipart/form-data")
    assert response.status_code == 302
    number = response.headers["Location"].rsplit("/", 1)[-1]
    rows = _rows(query, number)
    assert [r[1:] for r in rows] == [
        ("intake", "现场.jpg", "image/jpeg", False, True),
        ("intake", "map.png", "image/png", False, True),
    ]
    image = _get(operator, f"/orders/{number}/attachments/{rows[0][0]}")
    assert image.status_code == 200 and _gps_of(image.data) == {}
    assert Image.open(io.BytesIO(image.data)).getexif() == {}  # no EXIF at all (Make too)
    thumb = _get(operator, f"/orders/{number}/attachments/{rows[1][0]}/thumb")
    assert thumb.status_code == 200 and thumb.mimetype == "image/png"
    assert Image.open(io.BytesIO(thumb.data)).size == (320, 160)

    # The unit replies with proof: without the box the location goes, with it it stays.
    staff_user = make(factories.user, Role.DEPARTMENT, DONGCHENG)
    with app.app_context():
        factories.act(db.session.get(User, staff_user.id), number, Action.ACCEPT)
    staff = login(staff_user)
    reply = {
        "note": "已处置完毕",
        "keep_location": "1",
        "attachments": [(io.BytesIO(photo), "处置后.jpg")],
    }
    response = staff.post(f"/orders/{number}/reply", reply, content_type="multipart/form-data")
    assert response.status_code == 302
    proof = [r for r in _rows(query, number) if r[1] == "proof"]
    assert [r[1:] for r in proof] == [("proof", "处置后.jpg", "image/jpeg", True, True)]
    kept = _get(staff, f"/orders/{number}/attachments/{proof[0][0]}").data
    assert _gps_of(kept) == _gps_of(photo)
    assert query(lambda: db.session.scalar(select(WorkOrder.state))) == "replied"
    # The desk reviewing the reply sees the proof on the order page, names escaped.
    desk = login(make(factories.user, Role.DESK))
    page = desk.get(f"/orders/{number}").get_data(as_text=True)
    assert "Handling proof" in page or "处置" in page
    assert f"/orders/{number}/attachments/{proof[0][0]}/thumb" in page
    assert len(_attach_events(query, number)) == 2


def test_only_users_who_may_see_the_order_get_its_files(app, make, login, query):
    operator = login(make(factories.user, Role.OPERATOR))
    order = make(factories.order)
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    response = operator.post(
        f"/orders/{order.number}/attachments",
        {"attachments": [(io.BytesIO(pdf), "<b>合同<i>.pdf"), (io.BytesIO(_png()), "a.png")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    (pdf_id, *_), (png_id, *_) = _rows(query)
    files = _files(app)
    assert len(files) == 3  # the PDF, the PNG and its thumbnail
    assert {oct(p.stat().st_mode & 0o777) for p in files} == {"0o600"}
    base = f"/orders/{order.number}/attachments"
    other = login(make(factories.user, Role.DEPARTMENT, CHAOYANG))
    for url in (f"{base}/{pdf_id}", f"{base}/{png_id}", f"{base}/{png_id}/thumb"):
        assert _get(other, url).status_code == 404
    own = login(make(factories.user, Role.DEPARTMENT, DONGCHENG))
    desk = login(make(factories.user, Role.DESK))
    for user in (own, desk):
        document = _get(user, f"{base}/{pdf_id}")
        assert document.status_code == 200 and document.data == pdf
        assert document.headers["Content-Type"] == "application/pdf"
        assert document.headers["Content-Disposition"].startswith("attachment;")
        assert document.headers["X-Content-Type-Options"] == "nosniff"
        assert document.headers["Cache-Control"] == "private, no-store"
        image = _get(user, f"{base}/{png_id}")
        assert image.headers["Content-Type"] == "image/png"
        assert image.headers["Content-Disposition"].startswith("inline;")
        assert _get(user, f"{base}/{pdf_id}/thumb").status_code == 404  # a PDF has none
    page = desk.get(f"/orders/{order.number}").get_data(as_text=True)
    assert "&lt;b&gt;合同&lt;i&gt;.pdf" in page and "<b>合同" not in page
    # Another order's number with this order's attachment: 404, for everyone.
    second = make(factories.order)
    assert _get(desk, f"/orders/{second.number}/attachments/{pdf_id}").status_code == 404
    notes = _attach_events(query, order.number)
    assert len(notes) == 1 and "受理材料" in notes[0] and ".pdf" in notes[0]


def test_an_oversize_file_and_too_many_files_are_refused(app, make, login, query):
    app.config["ATTACHMENT_MAX_BYTES"] = 50_000
    operator = login(make(factories.user, Role.OPERATOR))
    order = make(factories.order)
    big = b"%PDF-1.4\n" + b"0" * 60_000
    response = operator.post(
        f"/orders/{order.number}/attachments",
        {"attachments": [(io.BytesIO(big), "big.pdf")]},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "有文件超过0.0477 MB，未保存任何文件" in response.get_data(as_text=True)
    six = [(io.BytesIO(b"%PDF-1.4\n"), f"{i}.pdf") for i in range(6)]
    response = operator.post(
        f"/orders/{order.number}/attachments",
        {"attachments": six},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "每次最多5个文件" in response.get_data(as_text=True)
    assert _rows(query) == [] and _files(app) == [] and _attach_events(query, order.number) == []


PDF = (
    b"%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n"
    b"2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\n"
    b"trailer <</Root 1 0 R /Info <</Author (Zhang San)>>>>\n%%EOF\n"
)


def test_a_confidential_report_keeps_no_file_name_and_takes_no_pdf(app, make, login, query):
    operator = login(make(factories.user, Role.OPERATOR))
    tip = {**factories.call_form(), "order_type": "tip_off", "confidential": "on"}
    with_pdf = {**tip, "attachments": [(io.BytesIO(PDF), "举报材料.pdf", "application/pdf")]}
    refused = operator.post("/intake", with_pdf, content_type="multipart/form-data")
    assert refused.status_code == 422 and "保密举报只接受照片" in refused.get_data(as_text=True)
    named = {**tip, "attachments": [(io.BytesIO(_png()), "举报人张三 13800000000.png")]}
    taken = operator.post("/intake", named, content_type="multipart/form-data")
    assert taken.status_code == 302
    number = taken.headers["Location"].rsplit("/", 1)[1]
    assert [row[2] for row in _rows(query)] == ["附件1.png"]
    notes = " ".join(_attach_events(query, number))
    assert "张三" not in notes and "13800000000" not in notes


def test_the_order_page_offers_the_upload_form_while_the_order_is_open(make, login):
    order = make(factories.order)
    page = login(make(factories.user, Role.OPERATOR)).get(f"/orders/{order.number}")
    assert f'action="/orders/{order.number}/attachments"' in page.get_data(as_text=True)
