"""Channels behind one interface: what the outbox sends through.

The message centre is a channel of its own (the ``Message`` row is what
the user reads); the external ones are adapters speaking each provider's
HTTP API, configured from the environment (settings ``NOTICES_SMS``,
``NOTICES_WECHAT``, ``NOTICES_WECOM``). A channel left unconfigured is the
embedded default: what it would send stays in the outbox page the system
administrator reads, marked sent through ``outbox``.
"""

from __future__ import annotations

from django.conf import settings

from .base import Adapter, OutboxAdapter, Outcome, Throttle
from .tencent_sms import TencentSms
from .wechat import WechatSubscribe
from .wecom import WecomApp

__all__ = ["Adapter", "Outcome", "Throttle", "adapter_for", "reset"]

_adapters: dict[str, Adapter] = {}


def _configured(name: str) -> Adapter:
    if name == "sms":
        config = settings.NOTICES_SMS
        if config.get("secret_id") and config.get("sdk_app_id"):
            return TencentSms(config)
    elif name == "wechat":
        config = settings.NOTICES_WECHAT
        if config.get("app_id") and config.get("template_id"):
            return WechatSubscribe(config)
    elif name == "wecom":
        config = settings.NOTICES_WECOM
        if config.get("corp_id") and config.get("agent_id"):
            return WecomApp(config)
    return OutboxAdapter(name)


def adapter_for(name: str) -> Adapter:
    """The adapter of channel ``name``, kept for the process (its access
    token and its throttle live with it)."""
    if name not in _adapters:
        _adapters[name] = _configured(name)
    return _adapters[name]


def reset() -> None:
    """Forget the adapters (tests change the settings)."""
    _adapters.clear()
