"""The board pack's pages: ask for a pack, follow its build, download it.

A pack is built in the background (``reporting.tasks``) once per scope, audience and
version of the data (``reporting.packs``), so a pack that is up to date downloads at once.
Each view validates its input with a form (a bad domain or period is a 400 page), calls the
pack services and renders one template; the progress partial is what htmx polls.
"""

from __future__ import annotations

from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from indicators.selectors import domains_with_indicators, protects
from outcomes_site.access import public_read
from reporting import packs, tasks
from reporting.forms import BoardPackForm
from reporting.models import BoardPack, BoardPackStatus
from reporting.selectors import reporting_periods


def _pack_form(request, data) -> BoardPackForm:
    return BoardPackForm(
        data, domains=domains_with_indicators(user=request.user), periods=reporting_periods()
    )


def _scope(form: BoardPackForm, request) -> packs.PackScope:
    return packs.PackScope(
        domain_code=form.cleaned_data["domain"], period_label=form.cleaned_data["period"],
        protected=protects(request.user),
    )  # fmt: skip


def _bad_request(request, form: BoardPackForm):
    return render(request, "reporting/board_pack.html", {"form": form, "pack": None}, status=400)


@public_read
@require_http_methods(["GET", "POST"])
def board_pack_request(request):
    """GET: choose a domain and period, and see whether that pack is ready. POST: ask for it
    (queued unless an up-to-date pack exists), then follow it on its own page."""
    form = _pack_form(request, request.POST if request.method == "POST" else request.GET)
    if not form.is_valid():
        return _bad_request(request, form)
    scope = _scope(form, request)
    if request.method == "POST":
        pack = tasks.board_pack_submit(scope=scope, user=request.user)
        return redirect("board_pack_status", pk=pack.pk)
    return render(
        request,
        "reporting/board_pack.html",
        {"form": form, "pack": packs.board_pack_current(scope=scope), "scope": scope},
    )


def _pack_or_404(request, pk: int) -> BoardPack:
    """A pack built for the requester's audience: a protected viewer never gets an analyst's
    pack (it holds unpublished indicators and unrounded numbers), whatever its number."""
    pack = BoardPack.objects.filter(pk=pk, protected=protects(request.user)).first()
    if pack is None:
        raise Http404("No such board pack")
    return pack


@public_read
@require_GET
def board_pack_status(request, pk: int):
    """The pack's progress while it is built, then its download; htmx polls the partial."""
    pack = _pack_or_404(request, pk)
    context = {
        "pack": pack,
        "scope": packs.scope_of(pack),
        "current": packs.board_pack_is_current(pack),
        "interrupted": packs.board_pack_is_interrupted(pack),
        "form": _pack_form(request, {"domain": pack.domain_code, "period": pack.period_label}),
    }
    template = "reporting/board_pack_status.html" + ("#progress" if request.htmx else "")
    return render(request, template, context)


@public_read
@require_GET
def board_pack_download(request, pk: int):
    pack = _pack_or_404(request, pk)
    if pack.status != BoardPackStatus.READY or not pack.file:
        raise Http404("This board pack is not ready")
    return _pdf_response(pack)


def _pdf_response(pack: BoardPack) -> FileResponse:
    return FileResponse(
        pack.file.open("rb"), as_attachment=True, filename=packs.scope_of(pack).filename,
        content_type="application/pdf",
    )  # fmt: skip


@public_read
@require_GET
def board_pack(request):
    """The old URL (``/board-pack.pdf?domain=&period=``): the up-to-date pack if there is
    one; with no broker, built now as it always was; otherwise the new flow, where the pack
    is asked for and followed while it is built."""
    form = _pack_form(request, request.GET)
    if not form.is_valid():
        return _bad_request(request, form)
    scope = _scope(form, request)
    pack = packs.board_pack_current(scope=scope)
    if pack is None and tasks.builds_in_process():
        pack = tasks.board_pack_build_now(scope=scope, user=request.user)
    if pack is not None and pack.status == BoardPackStatus.READY:
        return _pdf_response(pack)
    return redirect(f"{reverse('board_pack_request')}?{request.GET.urlencode()}")
