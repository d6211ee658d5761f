"""What a campaign adds to the sort: its procedures, fields and officers, matched with care.

A comment that names one of the campaign's procedures or officers is about its handling,
but only the *distinctive* words count. Procedure names are long and share generic pairs
("hoạt động", "công nghệ", "kiểm tra", "an toàn", "cơ sở"...) that match unrelated texts,
so a pair counts only when it is not in :data:`GENERIC_PAIRS`, not made of two generic
words, and not shared by many of the campaign's procedure names (document frequency).
Officers count by their full name only: once accents are gone an honorific plus a given
name is an ordinary phrase ("có những" reads "cô Nhung", "có ánh" reads "cô Anh").
"""

from collections import Counter
from dataclasses import dataclass, field

from .text import contains_phrase, fold

# Words that say nothing on their own inside procedure names.
GENERIC_NAME_WORDS = frozenset(
    "cap lai doi dang ky giay chung nhan thu tuc cho va cua lan dau tu ban so nguoi to chuc"
    " ca quyen su dung voi trong tren the mot cac nhung tai khi theo ve o nha doi voi"
    " hoac tren duoi nhom dua vao ra".split()
)

# Pairs that occur in many procedure names and in everyday texts alike.
GENERIC_PAIRS = frozenset(fold(pair) for pair in (
    "công nghệ", "hoạt động", "hỗ trợ", "kiểm tra", "an toàn", "cơ sở", "khoa học",
    "thực hiện", "kết quả", "tổ chức", "cá nhân", "sản xuất", "kinh doanh", "nhà nước",
    "sản phẩm", "hàng hóa", "địa phương", "điều kiện", "bổ sung", "sửa đổi", "gia hạn",
    "công việc", "nhân viên", "văn bản", "giấy tờ", "y tế", "thiết bị", "ngân sách",
    "doanh nghiệp", "dịch vụ", "thông tin", "quản lý", "nội dung", "đánh giá", "công bố",
    "chất lượng", "tiêu chuẩn", "phương tiện", "nhập khẩu", "xuất khẩu", "trung tâm",
    "giải quyết", "cấp tỉnh", "cấp huyện", "cấp xã", "chứng chỉ", "đào tạo", "công trình",
    "phụ trách", "người phụ", "dựa trên", "tự đánh", "cho sản", "của tổ", "của địa",
))

# A pair shared by this share of a campaign's procedure names (with at least 3 names
# sharing it) is a word of the field, not of one procedure.
MAX_DOCUMENT_SHARE = 0.2


def _pairs(words):
    return [f"{first} {second}" for first, second in zip(words, words[1:], strict=False)]


def distinctive_phrases(names):
    """``{name: [folded pairs]}``: the pairs of each procedure name worth matching."""
    folded = {name: fold(name).split() for name in names}
    frequency = Counter(pair for words in folded.values() for pair in set(_pairs(words)))
    limit = max(3, MAX_DOCUMENT_SHARE * len(folded))
    phrases = {}
    for name, words in folded.items():
        phrases[name] = [
            pair for pair in dict.fromkeys(_pairs(words))
            if pair not in GENERIC_PAIRS and frequency[pair] < limit
            and not all(word in GENERIC_NAME_WORDS for word in pair.split())
            and not any(word.isdigit() for word in pair.split())
        ]
    return phrases


@dataclass(frozen=True)
class ClassifierContext:
    """What the classifier knows about the campaign a comment belongs to."""

    procedures: tuple = ()
    sectors: tuple = ()
    officers: tuple = ()
    _phrases: dict = field(default=None, compare=False, repr=False, hash=False)

    def __post_init__(self):
        # Folded once: a context serves every comment of its campaign.
        phrases = distinctive_phrases(self.procedures)
        object.__setattr__(self, "_phrases", {
            "procedures": [(name, fold(name), phrases[name]) for name in self.procedures],
            "sectors": [(sector, fold(sector)) for sector in self.sectors],
            "officers": [(officer, fold(officer)) for officer in self.officers],
        })

    @classmethod
    def for_campaign(cls, campaign):
        """The campaign's active procedures, their fields and its officers (2 queries)."""
        if campaign is None:
            return cls()
        procedures = list(campaign.procedures().values_list("name", "sector__name"))
        return cls(
            procedures=tuple(sorted({name for name, _sector in procedures})),
            sectors=tuple(sorted({sector for _name, sector in procedures if sector})),
            officers=tuple(campaign.officers().values_list("name", flat=True)),
        )

    def procedure_phrases(self, name):
        """The folded pairs of procedure ``name`` that count."""
        return next(pairs for known, _whole, pairs in self._phrases["procedures"]
                    if known == name)

    def matches(self, folded):
        """``[(term, kind, phrase)]`` for the procedures, fields and officers ``folded``
        names (kind: procedure, sector, officer; phrase: the folded words that matched)."""
        found = []
        for name, whole, pairs in self._phrases["procedures"]:
            hit = whole if contains_phrase(folded, whole) else next(
                (pair for pair in pairs if contains_phrase(folded, pair)), None)
            if hit:
                found.append((name, "procedure", hit))
        for sector, whole in self._phrases["sectors"]:
            # A field counts when named in full and not a generic pair ("kinh doanh").
            if whole not in GENERIC_PAIRS and contains_phrase(folded, whole):
                found.append((sector, "sector", whole))
        for officer, whole in self._phrases["officers"]:
            if len(whole.split()) >= 2 and contains_phrase(folded, whole):
                found.append((officer, "officer", whole))
        return found
