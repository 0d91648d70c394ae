"""An XBlock runtime shaped like the platform's where our blocks look: opaque-key usage ids inside a course,
and a user service whose users carry the platform's ``edx-platform.*`` attributes."""

from __future__ import annotations

import json
from typing import Any

from opaque_keys.edx.keys import CourseKey
from webob import Request
from xblock.reference.user_service import UserService, XBlockUser
from xblock.runtime import DictKeyValueStore, KvsFieldData, MemoryIdManager, Runtime
from xblock.test.toy_runtime import ToyRuntime

COURSE = CourseKey.from_string("course-v1:Aurora+MC101+2026")


class CourseIds(MemoryIdManager):
    """Usage ids are the course's ``BlockUsageLocator``s, as in a modulestore course."""

    def create_usage(self, def_id):
        usage_id = COURSE.make_usage_key(self.get_block_type(def_id), f"b{len(self._usages) + 1}")
        self._usages[usage_id] = def_id
        return usage_id


class PlatformUsers(UserService):
    def __init__(self, user: Any):
        super().__init__()
        self.user = user

    def get_current_user(self) -> XBlockUser:
        current = XBlockUser(is_current_user=True, emails=[self.user.email], full_name=self.user.get_full_name())
        current.opt_attrs = {
            "edx-platform.user_id": self.user.pk,
            "edx-platform.username": self.user.username,
            "edx-platform.user_is_staff": self.user.is_staff,
        }
        return current


class PlatformRuntime(ToyRuntime):
    """Blocks are loaded from the installed entry points (``xblock.v1``), like the platform loads them."""

    def __init__(self, ids: CourseIds, kvs: DictKeyValueStore, user: Any):
        Runtime.__init__(self, ids, ids, services={"field-data": KvsFieldData(kvs), "user": PlatformUsers(user)})
        self.user_id = str(user.pk)

    def publish(self, block, event_type, event_data):
        """The grade and completion events go to the platform's services; nothing to do here."""


def post(block, handler: str, body: Any) -> tuple[int, Any]:
    """Call a handler as the platform's handler URL does; returns (status, decoded JSON)."""
    request = Request.blank("/", method="POST", body=json.dumps(body).encode("utf-8"))
    request.content_type = "application/json"
    response = block.runtime.handle(block, handler, request)
    return response.status_code, json.loads(response.body)
