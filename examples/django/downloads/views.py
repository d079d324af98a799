"""
The part of a web application that RawZipServer talks to.

RawZipServer (Manifests:BackendUrl = http://app/manifests/) asks GET /manifests/{id} for every
archive download and forwards the user's Cookie and Authorization headers. This view decides
whether the user may have that archive and answers with the manifest: JSON (SPEC §4) or, for
applications that already speak nginx mod_zip, mod_zip text with X-Archive-Files: zip.
Anything but 200 is relayed to the user (401/403/404/410) or becomes a 502.
"""
import hashlib
import hmac
import time

from django.conf import settings
from django.http import HttpResponse, HttpResponseForbidden, HttpResponseNotFound, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

# Albums and who may download them. Origin names ("samples", "synthetic") are those of
# RawZipServer's configuration (the embedded demo has both); sources are paths on them.
ALBUMS = {
    "holiday": {
        "owners": {"alice"},
        "name": "holiday.zip",
        "files": [
            {"path": "2026/beach.txt", "origin": "samples", "source": "photos/2026/beach.txt", "size": 39},
            {"path": "2026/random.bin", "origin": "synthetic", "source": "/100000/42", "size": 100000},
            {"path": "2026/empty-folder/"},
        ],
    },
}


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


@csrf_exempt  # the example has no form page; a real site logs users in with its own (CSRF-protected) views
@require_POST
def login(request):
    user = request.POST.get("username", "")
    password = request.POST.get("password", "")
    expected = settings.DEMO_USERS.get(user)
    if expected is None or not hmac.compare_digest(expected, password):
        return HttpResponseForbidden("wrong username or password\n")
    request.session["user"] = user
    return HttpResponse(status=204)


def _album_for(request, archive_id):
    """(album, None) when the logged-in user may download it, else (None, error response)."""
    user = request.session.get("user")
    if user is None:
        return None, HttpResponseForbidden("login required\n")
    album = ALBUMS.get(archive_id)
    if album is None:
        return None, HttpResponseNotFound("no such album\n")
    if user not in album["owners"]:
        return None, HttpResponseForbidden("not your album\n")
    return album, None


@require_GET
def manifest(request, archive_id):
    # "{album}.modzip" asks for the same album in nginx mod_zip's text format.
    modzip = archive_id.endswith(".modzip")
    album, error = _album_for(request, archive_id[: -len(".modzip")] if modzip else archive_id)
    if error is not None:
        return error
    if not modzip:
        return JsonResponse({"name": album["name"], "files": album["files"]})
    # mod_zip lines: CRC32 SIZE LOCATION NAME; "-" for an unknown CRC; LOCATION is on the default
    # origin (the demo's "samples"), so only files of that origin can be listed this way.
    lines = [f"- {f['size']} /{f['source']} {f['path']}" for f in album["files"] if f.get("origin") == "samples"]
    response = HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
    response["X-Archive-Files"] = "zip"
    return response


@require_GET
def signed_link(request, archive_id):
    """A link to the archive that works without the cookie for an hour (Auth:SigningSecret, SPEC §3)."""
    album, error = _album_for(request, archive_id)
    if error is not None:
        return error
    if not settings.RAWZIP_SIGNING_SECRET:
        return HttpResponseNotFound("RAWZIP_SIGNING_SECRET is not set\n")
    expires = int(time.time()) + 3600
    message = f"{archive_id}\n{expires}".encode()
    signature = hmac.new(settings.RAWZIP_SIGNING_SECRET.encode(), message, hashlib.sha256).hexdigest()
    url = f"{settings.RAWZIP_PUBLIC_URL}/archive/{archive_id}?expires={expires}&signature={signature}"
    return HttpResponse(url + "\n", content_type="text/plain")
