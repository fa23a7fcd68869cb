"""共治 Gongzhi: Party-led grassroots community governance."""

__version__ = "0.1.0"
