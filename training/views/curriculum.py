"""The public curriculum, and its editing by consortium admins."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from consortium.forms import form_errors

from .. import permissions, services
from ..forms import ModuleForm
from ..models import Module


def curriculum(request):
    modules = Module.objects.all()
    context = {"modules": modules, "can_edit": permissions.can_edit_curriculum(request.user)}
    return render(request, "training/curriculum.html", context)


@login_required
def module_edit(request, pk=None):
    if not permissions.can_edit_curriculum(request.user):
        raise Http404
    module = get_object_or_404(Module, pk=pk) if pk else Module()
    form = ModuleForm(request.POST if request.method == "POST" else None, instance=module)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_module(module=form.instance, by=request.user)
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("Module saved."))
            return redirect("training:curriculum")
    return render(request, "training/module_form.html", {"form": form, "module": module})
