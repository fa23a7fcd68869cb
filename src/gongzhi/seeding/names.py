"""Chinese place names for scale data, so a million rows still read like a
real district on screen and in exports, not ``estate-000417``.

Names are composed from two-character words (a curated list of the
auspicious words estates are really named after, plus Faker's zh_CN city and
district names, since many northern streets are named after other cities:
南京路, 成都道) and the suffixes each level uses. One ``random.Random`` and a
seeded Faker drive everything, so a seed gives the same district every time.
"""

from __future__ import annotations

import random

from faker import Faker

# Words real streets, communities and estates are named after.
_WORDS = """
长虹 鼓楼 兴南 广开 万兴 学府 向阳 嘉陵 王顶 水上 体育 阳光
幸福 和平 明珠 金色 翠湖 锦绣 春晖 朝阳 东风 红旗 建设 光明
团结 胜利 民主 友谊 新华 复兴 永安 长青 康乐 富强 文明 丽水
碧海 凤凰 龙湾 紫金 银河 星河 天宝 福安 瑞丰 和顺 安居 宜居
芳草 翠竹 桃源 柳岸 荷花 梅江 菊香 松林 枫林 梧桐 海棠 紫藤
丁香 玉兰 蓝天 白云 青年 红星 金桥 银杏 三潭 五福 六合 七星
九华 百合 千禧 御景 华庭 盛世 世纪 时代 新城 南湖 北辰 东方
西湖 中山 正阳 静安 安泰 泰和 德馨 思源 育才 育红 秀峰 宏达
卫津 密云 黄河 长江 珠江 松江 嫩江 汾河 洞庭 太湖 泰山 华山
衡山 嵩山 昆仑 天山 燕山 太行 云居 雅安 丰泽 迎春 迎宾 宾水
环湖 凌宾 简阳
"""
WORDS = tuple(_WORDS.split())

STREET_FORMS = ("{}街道", "{}路街道", "{}道街道")
COMMUNITY_FORMS = ("{}社区", "{}里社区", "{}园社区", "{}路社区", "{}新村社区")
ESTATE_SUFFIXES = ("小区", "园", "里", "苑", "家园", "花园", "新村", "嘉园", "名居")
QUALIFIERS = ("", "", "", "东", "西", "南", "北", "新")

# Faker's city list has these, but no mainland estate is named 香港里.
NOT_ESTATE_WORDS = {"香港", "澳门", "台湾", "台北"}

DIGITS = "零一二三四五六七八九"


def chinese_number(number: int) -> str:
    """1..99 as written in 第十二网格; grids are numbered in words, not 12."""
    if not 0 < number < 100:
        raise ValueError(f"{number} is outside 1..99")
    tens, ones = divmod(number, 10)
    if tens == 0:
        return DIGITS[ones]
    head = "" if tens == 1 else DIGITS[tens]
    return f"{head}十{DIGITS[ones] if ones else ''}"


def faker_words(*, seed: int) -> list[str]:
    """Two-character city and district names from Faker's zh_CN provider.

    Sampled through the public API (not the provider's private lists) so a
    Faker upgrade changes at most which words, never whether it works.
    """
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    words = {fake.city_name() for _ in range(400)}
    words |= {fake.district() for _ in range(400)}
    return sorted(w for w in words if len(w) == 2 and w not in NOT_ESTATE_WORDS)


class NameMaker:
    """Hands out names, never the same one twice within one ``taken`` set.

    Callers pass the set that defines "siblings" for them (the product
    forbids duplicate names among active siblings; we keep community and
    estate names unique across the whole district, as real ones are).
    """

    def __init__(self, *, seed: int) -> None:
        # Reproducible sample data, not secrets.
        self.rng = random.Random(seed)  # noqa: S311
        self.words = sorted(set(WORDS) | set(faker_words(seed=seed)))

    def _unique(self, compose, taken: set[str]) -> str:
        for _ in range(1000):
            name = compose()
            if name not in taken:
                taken.add(name)
                return name
        raise RuntimeError("name space exhausted; add words to names.WORDS")

    def street(self, *, taken: set[str]) -> str:
        return self._unique(
            lambda: self.rng.choice(STREET_FORMS).format(self.rng.choice(self.words)),
            taken,
        )

    def community(self, *, taken: set[str]) -> str:
        return self._unique(
            lambda: self.rng.choice(COMMUNITY_FORMS).format(
                self.rng.choice(self.words)
            ),
            taken,
        )

    def estate(self, *, taken: set[str]) -> str:
        rng = self.rng
        return self._unique(
            lambda: _estate_name(
                rng.choice(self.words),
                rng.choice(QUALIFIERS),
                rng.choice(ESTATE_SUFFIXES),
            ),
            taken,
        )


def _estate_name(word: str, qualifier: str, suffix: str) -> str:
    # 新 before 新村 reads as a stutter (昆明新新村); drop the qualifier there.
    if suffix.startswith(qualifier) and qualifier:
        qualifier = ""
    return f"{word}{qualifier}{suffix}"


def grid_name(number: int) -> str:
    return f"第{chinese_number(number)}网格"


def building_name(number: int) -> str:
    return f"{number}号楼"


def entrance_name(number: int) -> str:
    return f"{number}单元"


def household_name(*, floor: int, door: int) -> str:
    """Room numbers as on the door: floor then two-digit door, 301 or 1802."""
    return f"{floor}{door:02d}"
