from django.utils.functional import SimpleLazyObject

from . import access, permissions
from .models import Notification, Role


def navigation(request):
    """What the navigation shows, by role; evaluated only when a template asks."""

    def build():
        user = request.user
        return {
            "is_student": access.has_role(user, Role.STUDENT),
            "is_staff_member": access.staff_institution_id(user) is not None,
            "uses_support_desk": permissions.can_use_support_desk(user),
            "manages": user.institution if access.managed_institution_ids(user) else None,
            "is_consortium_admin": access.is_consortium_admin(user),
            "unread_count": Notification.objects.visible_to(user).inbox().unread().count()
            if user.is_authenticated
            else 0,
        }

    return {"nav": SimpleLazyObject(build)}
