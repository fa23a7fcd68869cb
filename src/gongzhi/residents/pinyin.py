"""Pinyin initials of Chinese names, for search ("zsf" finds 张三丰)."""

from itertools import product

from pypinyin import Style, pinyin

MAX_VARIANTS = 4


def name_initials(name: str) -> str:
    """Space-separated initials variants: 单田芳 reads "dtf" or "stf" (单 as a
    surname is Shan), so both are stored and either finds her."""
    letters = pinyin(name, style=Style.FIRST_LETTER, heteronym=True, errors="ignore")
    choices = [sorted({c.lower() for c in options if c}) for options in letters]
    choices = [c for c in choices if c]
    variants = []
    for combo in product(*choices):
        variants.append("".join(combo))
        if len(variants) >= MAX_VARIANTS:
            break
    return " ".join(variants)
