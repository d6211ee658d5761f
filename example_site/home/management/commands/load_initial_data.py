"""Build the demo agency: units, procedures, officers, campaigns, pages, responses, accounts.

Idempotent: every object is found by a natural key (code, slug, username) and updated, and
synthetic responses are only generated for a campaign that has none. The data is fictional
but shaped like a real provincial department ("Sở") in Vietnam; random choices are seeded so
that two runs on two machines build the same figures.
"""

import datetime
import json
import random
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale, Page, Site

from example_site.home.models import ContentPage, HomePage
from wagtail_satisfaction import roles
from wagtail_satisfaction.channels import dossiers, paper
from wagtail_satisfaction.conf import get_setting
from wagtail_satisfaction.forms import question_field_name
from wagtail_satisfaction.models import (
    ApiClient,
    Banner,
    Campaign,
    Channel,
    Dossier,
    KioskKey,
    Officer,
    Procedure,
    Questionnaire,
    ResultsPage,
    Round,
    SatisfactionSettings,
    Sector,
    SurveyPage,
    Unit,
    UnitKind,
)
from wagtail_satisfaction.models.dossiers import SECRET_ALPHABET
from wagtail_satisfaction.services import submit_response
from wagtail_satisfaction.standard_questionnaires import (
    SIPAS_CODE,
    TTHC_CODE,
    install_standard_questionnaires,
)

SEED = 20260301
# The demo's API token (docs/api.md shows it with curl). Fixed so the docs can print it: it
# exists only where this demo command ran, and must never be created on a real site.
DEMO_API_TOKEN = "ws_demo-mot-cua-chi-dung-cho-ban-demo-khong-dung-that"
DEMO_API_CLIENT = "Phần mềm một cửa (demo)"
DEMO_PASSWORD = "demo12345"

# (username, password, first name, last name, group or None for the superuser)
ACCOUNTS = [
    ("admin", "admin123", "Quản trị", "hệ thống", None),
    ("bientap", DEMO_PASSWORD, "Lan", "Trần Thị", roles.EDITOR),
    ("cntt", DEMO_PASSWORD, "Hùng", "Phạm Quốc", roles.IT_MODERATOR),
    ("thuky", DEMO_PASSWORD, "Hà", "Nguyễn Thu", roles.ISO_SECRETARY),
    ("quanly", DEMO_PASSWORD, "Minh", "Lê Văn", roles.CAMPAIGN_MANAGER),
    ("motcua", DEMO_PASSWORD, "Ngọc Hân", "Bùi Thị", roles.ONE_STOP),
]

# (code, name, kind, parent code)
UNITS = [
    ("ubnd-tinh-lam-dong", "UBND tỉnh Lâm Đồng", UnitKind.PROVINCE, None),
    ("so-khcn", "Sở Khoa học và Công nghệ tỉnh Lâm Đồng", UnitKind.DEPARTMENT,
     "ubnd-tinh-lam-dong"),
    ("so-khcn-van-phong", "Văn phòng Sở", UnitKind.OFFICE, "so-khcn"),
    ("so-khcn-qlcn", "Phòng Quản lý chuyên ngành", UnitKind.OFFICE, "so-khcn"),
    ("so-khcn-khtc", "Phòng Kế hoạch – Tài chính", UnitKind.OFFICE, "so-khcn"),
    ("so-khcn-tdc", "Chi cục Tiêu chuẩn Đo lường Chất lượng", UnitKind.SUB_UNIT, "so-khcn"),
    ("so-khcn-ttud", "Trung tâm Ứng dụng tiến bộ khoa học và công nghệ", UnitKind.SUB_UNIT,
     "so-khcn"),
    ("ttpvhcc-lam-dong", "Trung tâm Phục vụ hành chính công tỉnh Lâm Đồng", UnitKind.CENTRE,
     "ubnd-tinh-lam-dong"),
    ("ubnd-phuong-xuan-huong", "UBND phường Xuân Hương – Đà Lạt", UnitKind.COMMUNE,
     "ubnd-tinh-lam-dong"),
]

SECTOR_KHCN = "Hoạt động khoa học và công nghệ"
SECTOR_TDC = "Tiêu chuẩn đo lường chất lượng"
SECTOR_SHTT = "Sở hữu trí tuệ"
SECTOR_BXHN = "An toàn bức xạ và hạt nhân"
SECTOR_CGCN = "Chuyển giao công nghệ"
SECTOR_HT = "Hộ tịch"
SECTOR_CT = "Chứng thực"

# (code, name, field, unit code)
PROCEDURES = [
    ("1.004594.000.00.00.H36", "Đăng ký thực hiện nhiệm vụ khoa học và công nghệ cấp tỉnh",
     SECTOR_KHCN, "so-khcn-qlcn"),
    ("1.004601.000.00.00.H36", "Đăng ký kết quả thực hiện nhiệm vụ khoa học và công nghệ "
     "không sử dụng ngân sách nhà nước", SECTOR_KHCN, "so-khcn-qlcn"),
    ("1.004612.000.00.00.H36", "Cấp Giấy chứng nhận đăng ký hoạt động của tổ chức khoa học "
     "và công nghệ", SECTOR_KHCN, "so-khcn-van-phong"),
    ("1.004628.000.00.00.H36", "Cấp Giấy chứng nhận doanh nghiệp khoa học và công nghệ",
     SECTOR_KHCN, "so-khcn-qlcn"),
    ("1.000043.000.00.00.H36", "Đăng ký công bố hợp chuẩn dựa trên kết quả tự đánh giá của "
     "tổ chức, cá nhân sản xuất, kinh doanh", SECTOR_TDC, "so-khcn-tdc"),
    ("1.000047.000.00.00.H36", "Đăng ký công bố hợp quy đối với sản phẩm, hàng hóa nhóm 2",
     SECTOR_TDC, "so-khcn-tdc"),
    ("1.000052.000.00.00.H36", "Kiểm tra nhà nước về chất lượng hàng hóa nhập khẩu",
     SECTOR_TDC, "so-khcn-tdc"),
    ("1.000061.000.00.00.H36", "Đăng ký kiểm tra nhà nước về đo lường đối với phương tiện "
     "đo nhập khẩu", SECTOR_TDC, "so-khcn-tdc"),
    ("1.000068.000.00.00.H36", "Chứng nhận chuẩn đo lường để kiểm định, hiệu chuẩn, thử "
     "nghiệm phương tiện đo", SECTOR_TDC, "so-khcn-tdc"),
    ("1.005102.000.00.00.H36", "Hỗ trợ đăng ký bảo hộ quyền sở hữu công nghiệp cho sản "
     "phẩm đặc thù của địa phương", SECTOR_SHTT, "so-khcn-qlcn"),
    ("1.005110.000.00.00.H36", "Cấp Giấy chứng nhận tổ chức đủ điều kiện hoạt động giám "
     "định sở hữu công nghiệp", SECTOR_SHTT, "so-khcn-qlcn"),
    ("1.003205.000.00.00.H36", "Cấp giấy phép tiến hành công việc bức xạ – sử dụng thiết "
     "bị X-quang chẩn đoán trong y tế", SECTOR_BXHN, "so-khcn-qlcn"),
    ("1.003211.000.00.00.H36", "Gia hạn giấy phép tiến hành công việc bức xạ – sử dụng "
     "thiết bị X-quang chẩn đoán trong y tế", SECTOR_BXHN, "so-khcn-qlcn"),
    ("1.003219.000.00.00.H36", "Cấp chứng chỉ nhân viên bức xạ cho người phụ trách an "
     "toàn cơ sở X-quang chẩn đoán trong y tế", SECTOR_BXHN, "so-khcn-qlcn"),
    ("1.003227.000.00.00.H36", "Khai báo thiết bị X-quang chẩn đoán trong y tế",
     SECTOR_BXHN, "so-khcn-qlcn"),
    ("1.004830.000.00.00.H36", "Cấp Giấy chứng nhận đăng ký chuyển giao công nghệ",
     SECTOR_CGCN, "so-khcn-ttud"),
    ("1.004836.000.00.00.H36", "Cấp Giấy chứng nhận đăng ký gia hạn, sửa đổi, bổ sung nội "
     "dung chuyển giao công nghệ", SECTOR_CGCN, "so-khcn-ttud"),
    ("1.001193.000.00.00.H36", "Đăng ký khai sinh", SECTOR_HT, "ubnd-phuong-xuan-huong"),
    ("1.000894.000.00.00.H36", "Đăng ký kết hôn", SECTOR_HT, "ubnd-phuong-xuan-huong"),
    ("1.004227.000.00.00.H36", "Trích lục hộ tịch", SECTOR_HT, "ubnd-phuong-xuan-huong"),
    ("2.000815.000.00.00.H36", "Chứng thực bản sao từ bản chính giấy tờ, văn bản",
     SECTOR_CT, "ubnd-phuong-xuan-huong"),
]

# (name, title, unit code, how well their dossiers go: weights of good/normal/weak)
OFFICERS = [
    ("Nguyễn Thị Thu Trang", "Chuyên viên Văn phòng Sở", "so-khcn-van-phong", (6, 3, 1)),
    ("Trần Văn Phúc", "Phó Chánh Văn phòng", "so-khcn-van-phong", (5, 4, 1)),
    ("Lê Hoàng Nam", "Chuyên viên Phòng Quản lý chuyên ngành", "so-khcn-qlcn", (5, 4, 1)),
    ("Phạm Thị Mai Anh", "Trưởng phòng Quản lý chuyên ngành", "so-khcn-qlcn", (6, 3, 1)),
    ("Đỗ Quang Vinh", "Chuyên viên phụ trách an toàn bức xạ", "so-khcn-qlcn", (2, 5, 3)),
    ("Vũ Thị Hồng Nhung", "Kiểm soát viên chất lượng", "so-khcn-tdc", (4, 4, 2)),
    ("Hoàng Minh Tuấn", "Phó Chi cục trưởng", "so-khcn-tdc", (5, 4, 1)),
    ("Ngô Thanh Hải", "Viên chức Trung tâm Ứng dụng", "so-khcn-ttud", (4, 5, 1)),
    ("Bùi Thị Ngọc Hân", "Công chức tiếp nhận hồ sơ tại Bộ phận Một cửa", "ttpvhcc-lam-dong",
     (6, 3, 1)),
    ("K'Brơi Ha Sơn", "Công chức Tư pháp – Hộ tịch", "ubnd-phuong-xuan-huong", (5, 4, 1)),
    ("Nguyễn Văn Lộc", "Công chức Văn phòng – Thống kê", "ubnd-phuong-xuan-huong", (3, 5, 2)),
]

# 1..5 weights per mood of a response.
SATISFACTION_WEIGHTS = {
    "good": (1, 1, 6, 44, 48),
    "normal": (2, 5, 17, 50, 26),
    "weak": (6, 14, 28, 38, 14),
}
# 2/1/0 points weights per mood.
POINT_WEIGHTS = {"good": (85, 14, 1), "normal": (62, 33, 5), "weak": (38, 45, 17)}

CHANNEL_WEIGHTS = [
    (Channel.WEBSITE, 34), (Channel.KIOSK, 20), (Channel.PAPER, 22), (Channel.DOSSIER_LINK, 9),
    (Channel.EMAIL, 6), (Channel.ZALO, 5), (Channel.PHONE, 2), (Channel.POST, 1),
    (Channel.FAX, 1),
]

# Comments as people write them: some with diacritics, some typed without, some off-topic.
COMMENTS = {
    "good": [
        "Cán bộ hướng dẫn nhiệt tình, hồ sơ được trả trước hẹn 2 ngày.",
        "Rất hài lòng với thái độ phục vụ của Bộ phận Một cửa.",
        "can bo tiep nhan lich su, huong dan ky, cam on",
        "Thủ tục công bố hợp quy nhanh gọn, nộp trực tuyến tiện lợi.",
        "Nhan ket qua qua buu dien rat tien, khong phai di lai nhieu.",
        "Chị tiếp nhận hồ sơ giải thích rõ ràng từng thành phần hồ sơ.",
    ],
    "normal": [
        "Đề nghị bố trí thêm ghế ngồi chờ tại khu vực tiếp nhận hồ sơ.",
        "Phí thẩm định cần được niêm yết rõ hơn trên Cổng dịch vụ công.",
        "Nen co them huong dan nop ho so truc tuyen tren cong dich vu cong",
        "Biểu mẫu tờ khai nên có bản mẫu điền sẵn để người dân tham khảo.",
        "Thoi gian cho den luot hoi lau vao buoi sang thu hai.",
    ],
    "weak": [
        "Phải bổ sung hồ sơ 2 lần vì lần đầu không được hướng dẫn đầy đủ.",
        "Thoi gian giai quyet ho so cap phep buc xa qua lau, tre hen 5 ngay.",
        "Không được thông báo khi hồ sơ bị trả lại, phải tự gọi điện hỏi.",
        "Gọi điện đến số đường dây nóng nhiều lần nhưng không ai nghe máy.",
        "ho so bi tra lai ma khong ghi ro ly do",
    ],
    "off_topic": [
        "Trang web tải chậm, hình ảnh trên trang chủ bị lỗi.",
        "Xin hỏi lịch thi tuyển công chức năm nay khi nào có?",
        "Bán đất nền Đà Lạt giá rẻ, sổ hồng riêng, liên hệ 0909 000 000",
        "xem phim hay tai day http://example.com/phim",
    ],
}

FAMILY_NAMES = ["nguyen", "tran", "le", "pham", "hoang", "vu", "dang", "bui", "do", "ho"]
EMAIL_NAMES = ["an", "binh", "chi", "dung", "giang", "hoa", "khanh", "linh", "nga", "quan",
               "son", "thao", "uyen", "vy"]

# Dossiers: the receiving office's code prefix on the national portal, per campaign unit.
DOSSIER_PREFIXES = {"so-khcn": "000.21.36.H36", "ubnd-phuong-xuan-huong": "000.18.41.H36"}
DOSSIER_COUNT = 60
APPLICANTS = [
    "Nguyễn Văn An", "Trần Thị Bích Ngọc", "Lê Minh Đức", "Phạm Thị Thanh Hương",
    "Hoàng Văn Thắng", "Đặng Thị Kim Oanh", "Võ Quốc Bảo", "Ka Huê", "Đinh Thị Lan Phương",
    "Lương Văn Tùng", "Trịnh Thị Mỹ Duyên", "Cil Mup", "Ngô Đức Thịnh", "Bùi Thị Thu Thảo",
]
ORGANISATIONS = [
    "Công ty TNHH Thiết bị y tế Lâm Viên", "Phòng khám đa khoa Hoà Bình Đà Lạt",
    "Công ty Cổ phần Nông nghiệp công nghệ cao Langbiang", "Hợp tác xã Cà phê Cầu Đất",
    "Công ty TNHH Kiểm định Đo lường Tây Nguyên", "Viện Nghiên cứu Rau hoa Đà Lạt (minh hoạ)",
    "Công ty TNHH Chè Bảo Lộc Xanh",
]
KIOSK_NAME = "Quầy Sở KH&CN – Trung tâm Phục vụ hành chính công"
# Paper forms already typed in by the one-stop-shop staff: (form, batch, channel, days ago).
PAPER_FORMS = [(1, "L01", Channel.PAPER, 21), (2, "L01", Channel.PAPER, 21),
               (3, "L01", Channel.PAPER, 20), (4, "L02", Channel.POST, 12),
               (5, "L02", Channel.FAX, 11), (6, "L02", Channel.PAPER, 6)]
PAPER_TYPIST = "motcua"


def rich(*paragraphs):
    return "".join(f"<p>{text}</p>" for text in paragraphs)


class Command(BaseCommand):
    help = "Build the demo agency, its surveys, synthetic responses and one account per role."

    def add_arguments(self, parser):
        parser.add_argument("--responses", type=int, default=320,
                            help="Synthetic responses for the SIPAS campaign (the TTHC "
                                 "campaign gets a third of this). Default 320.")

    @transaction.atomic
    def handle(self, *args, responses, **options):
        self.rng = random.Random(SEED)
        self.today = timezone.now().astimezone(ZoneInfo(settings.TIME_ZONE)).date()
        install_standard_questionnaires()
        units = self.build_units()
        procedures = self.build_procedures(units)
        self.build_officers(units)
        sipas, tthc = self.build_campaigns(units)
        home, survey_page = self.build_pages(sipas, tthc)
        banner = self.build_banner(sipas, survey_page)
        groups = roles.ensure_role_groups()
        self.build_accounts(groups)
        created = self.build_responses(sipas, responses)
        created += self.build_responses(tthc, responses // 3)
        new_dossiers = self.build_dossiers(units, procedures)
        kiosk = self.build_kiosk(sipas, units)
        api_client = self.build_api_client(units)
        if responses > 0:
            created += self.rate_dossiers()
            created += self.type_paper_forms(sipas)
        self.stdout.write(self.style.SUCCESS(
            f"Demo ready: {Unit.objects.count()} units, {len(procedures)} procedures, "
            f"{Officer.objects.count()} officers, 2 campaigns, {created} new responses, "
            f"{new_dossiers} new dossiers. Home page {home.url}, survey page "
            f"{survey_page.url}, banner “{banner}”."))
        for username, password, _first, _last, group in ACCOUNTS:
            self.stdout.write(f"  {username} / {password}  ({group or 'superuser'})")
        self.stdout.write(_("Kiosk (%(name)s): %(url)s") % {
            "name": kiosk.name, "url": dossiers.public_url(kiosk.get_absolute_url())})
        self.stdout.write(_("Results page: %(url)s") % {"url": self.results_page.full_url})
        self.stdout.write(_("API token of “%(name)s” (demo only, docs/api.md): %(token)s") % {
            "name": api_client.name, "token": DEMO_API_TOKEN})
        example = dossiers.public_url(reverse("wagtail_satisfaction:api_dossier",
                                              args=[self.api_example.code]))
        self.stdout.write(f"  curl -H 'Authorization: Bearer {DEMO_API_TOKEN}' {example}")
        self.stdout.write(_("Rate a dossier at %(url)s with:") % {
            "url": dossiers.public_url(reverse("wagtail_satisfaction:dossier_lookup"))})
        for dossier in self.dossiers_to_try():
            self.stdout.write("  " + _("%(code)s  secret code %(secret)s  (%(unit)s)") % {
                "code": dossier.code, "secret": dossier.secret_code, "unit": dossier.unit.name})

    # -- organisation -------------------------------------------------------------------

    def build_units(self):
        units = {}
        for code, name, kind, parent in UNITS:
            unit = Unit.objects.filter(code=code).first() or Unit(code=code)
            unit.name, unit.kind, unit.parent = name, kind, units.get(parent)
            unit.save()
            units[code] = unit
        return units

    def build_procedures(self, units):
        procedures = []
        for code, name, sector_name, unit_code in PROCEDURES:
            sector, _created = Sector.objects.get_or_create(name=sector_name)
            procedure, _created = Procedure.objects.update_or_create(
                code=code, defaults={"name": name, "sector": sector, "unit": units[unit_code],
                                     "is_active": True})
            procedures.append(procedure)
        return procedures

    def build_officers(self, units):
        self.officer_moods = {}
        for name, title, unit_code, moods in OFFICERS:
            officer, _created = Officer.objects.update_or_create(
                name=name, unit=units[unit_code], defaults={"title": title, "is_active": True})
            self.officer_moods[officer.pk] = moods

    def build_campaigns(self, units):
        opens = (self.today.replace(day=1) - datetime.timedelta(days=150)).replace(day=1)
        closes = self.today + datetime.timedelta(days=60)
        middle = opens + (closes - opens) / 2
        sipas = self.campaign(
            "hai-long-2026", title="Khảo sát sự hài lòng của người dân, tổ chức đối với dịch "
            "vụ hành chính công của Sở Khoa học và Công nghệ",
            unit=units["so-khcn"], questionnaire=Questionnaire.objects.get(
                code=SIPAS_CODE, version=1),
            opens_on=opens, closes_on=closes, target_responses=200,
            target_dossier_share=30,
            intro="Ý kiến của Ông/Bà giúp Sở cải thiện chất lượng giải quyết thủ tục hành "
                  "chính. Phiếu khảo sát không ghi tên; thông tin liên hệ là tùy chọn.",
            thank_you="Cảm ơn Ông/Bà đã dành thời gian đánh giá. Ý kiến của Ông/Bà đã được "
                      "ghi nhận và sẽ được tổng hợp trong báo cáo của Sở.",
            rounds=[("Đợt 1", opens, middle, middle + datetime.timedelta(days=10)),
                    ("Đợt 2", middle + datetime.timedelta(days=1), closes,
                     closes + datetime.timedelta(days=20))],
        )
        tthc = self.campaign(
            "danh-gia-tthc-phuong-xuan-huong",
            title="Đánh giá việc giải quyết thủ tục hành chính tại UBND phường Xuân Hương",
            unit=units["ubnd-phuong-xuan-huong"],
            questionnaire=Questionnaire.objects.get(code=TTHC_CODE, version=1),
            opens_on=opens, closes_on=closes, target_responses=100, target_return_rate=80,
            intro="Mỗi hồ sơ được đánh giá một lần, sau khi Ông/Bà nhận kết quả.",
            thank_you="Cảm ơn Ông/Bà. Đánh giá cho hồ sơ đã được ghi nhận.",
            rounds=[("Đợt 1", opens, closes, closes + datetime.timedelta(days=20))],
        )
        return sipas, tthc

    def campaign(self, slug, *, rounds, **fields):
        campaign, _created = Campaign.objects.update_or_create(slug=slug, defaults=fields)
        campaign.rounds.all().delete()
        for order, (name, starts, ends, deadline) in enumerate(rounds):
            Round.objects.create(campaign=campaign, sort_order=order, name=name,
                                 starts_on=starts, ends_on=ends, report_deadline=deadline)
        return campaign

    # -- site ---------------------------------------------------------------------------

    def build_pages(self, sipas, tthc):
        locale, _created = Locale.objects.get_or_create(
            language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE))
        root = Page.get_first_root_node() or Page.add_root(
            instance=Page(title="Root", slug="root", locale=locale))
        home = HomePage.objects.filter(depth=2).first()
        if home is None:
            home = HomePage(
                title="Sở Khoa học và Công nghệ tỉnh Lâm Đồng", slug="trang-chu",
                body=json.dumps([
                    {"type": "paragraph", "value": rich(
                        "Sở Khoa học và Công nghệ tỉnh Lâm Đồng tiếp nhận và giải quyết "
                        "thủ tục hành chính trong các lĩnh vực hoạt động khoa học và công "
                        "nghệ, tiêu chuẩn đo lường chất lượng, sở hữu trí tuệ, an toàn bức "
                        "xạ và hạt nhân, chuyển giao công nghệ.",
                        "Hồ sơ được nộp trực tiếp tại Trung tâm Phục vụ hành chính công tỉnh, "
                        "qua dịch vụ bưu chính công ích hoặc trực tuyến trên Cổng dịch vụ công.")},
                    {"type": "heading", "value": "Ý kiến của Ông/Bà là thước đo của chúng tôi"},
                    {"type": "paragraph", "value": rich(
                        "Sau khi nhận kết quả giải quyết hồ sơ, mời Ông/Bà dành vài phút "
                        "đánh giá mức độ hài lòng. Phiếu không ghi tên người trả lời.")},
                ]),
            )
            root.add_child(instance=home)
            home.save_revision().publish()
        site = Site.objects.filter(is_default_site=True).first()
        if site is None:
            Site.objects.create(hostname="localhost", port=80, root_page=home,
                                is_default_site=True,
                                site_name="Sở Khoa học và Công nghệ tỉnh Lâm Đồng")
        elif site.root_page_id != home.pk:
            site.root_page = home
            site.site_name = "Sở Khoa học và Công nghệ tỉnh Lâm Đồng"
            site.save()
        # Wagtail's empty "Welcome to your new Wagtail site!" page, now replaced by the home
        # page; never a page with children or one that is still a site's root.
        Page.objects.filter(
            depth=2, slug="home", numchild=0,
            content_type=ContentType.objects.get_for_model(Page),
        ).exclude(pk=home.pk).exclude(sites_rooted_here__isnull=False).delete()

        survey_page = SurveyPage.objects.filter(campaign=sipas).first()
        if survey_page is None:
            survey_page = SurveyPage(
                title="Khảo sát mức độ hài lòng", slug="khao-sat-hai-long", campaign=sipas,
                show_in_menus=True,
                intro=rich("Mời Ông/Bà đánh giá việc giải quyết thủ tục hành chính tại Sở. "
                           "Các câu có dấu * là bắt buộc; nếu nội dung nào không áp dụng với "
                           "hồ sơ của mình, Ông/Bà chọn “Không áp dụng”."))
            home.add_child(instance=survey_page)
            survey_page.save_revision().publish()
        if not ContentPage.objects.filter(slug="danh-gia-giai-quyet-tthc").exists():
            page = ContentPage(
                title="Đánh giá giải quyết TTHC tại phường",
                slug="danh-gia-giai-quyet-tthc", show_in_menus=True,
                body=json.dumps([
                    {"type": "paragraph", "value": rich(
                        "Theo Nghị định 61/2018/NĐ-CP, mỗi hồ sơ thủ tục hành chính được "
                        "đánh giá theo 9 chỉ số, tối đa 18 điểm.")},
                    {"type": "survey", "value": {
                        "campaign": tthc.pk, "heading": "Phiếu đánh giá",
                        "intro": "Nhập mã hồ sơ in trên giấy tiếp nhận."}},
                ]))
            home.add_child(instance=page)
            page.save_revision().publish()
        if not ContentPage.objects.filter(slug="gioi-thieu").exists():
            page = ContentPage(
                title="Giới thiệu", slug="gioi-thieu", show_in_menus=True,
                body=json.dumps([{"type": "paragraph", "value": rich(
                    "Sở Khoa học và Công nghệ là cơ quan chuyên môn thuộc UBND tỉnh, tham "
                    "mưu về khoa học, công nghệ và đổi mới sáng tạo.",
                    "Trụ sở: 35 Trần Hưng Đạo, phường Xuân Hương – Đà Lạt (địa chỉ minh "
                    "hoạ).")}]))
            home.add_child(instance=page)
            page.save_revision().publish()
        self.results_page = self.build_results_page(home, sipas)
        return home, survey_page

    def build_results_page(self, home, campaign):
        """The public results of the SIPAS campaign, in the home page's menu; its figures
        are open data too."""
        if not campaign.publish_results:
            campaign.publish_results = True
            campaign.save(update_fields=["publish_results"])
        page = ResultsPage.objects.filter(campaign=campaign).first()
        if page is None:
            page = ResultsPage(
                title="Kết quả khảo sát sự hài lòng", slug="ket-qua-khao-sat",
                campaign=campaign, show_in_menus=True, comments=5,
                intro=rich("Kết quả đo lường sự hài lòng của người dân, tổ chức đối với sự "
                           "phục vụ của Sở, cập nhật khi có phiếu mới."))
            home.add_child(instance=page)
            page.save_revision().publish()
        return page

    def build_api_client(self, units):
        """The demo's API client for the one-stop software, with the fixed DEMO_API_TOKEN."""
        from wagtail_satisfaction.models.api import hash_token

        client = (ApiClient.objects.filter(token_hash=hash_token(DEMO_API_TOKEN)).first()
                  or ApiClient(name=DEMO_API_CLIENT))
        client.set_token(DEMO_API_TOKEN)
        client.revoked_at = None
        client.save()
        client.units.set([units["so-khcn"]])
        self.api_example = Dossier.objects.filter(
            unit__path__startswith=units["so-khcn"].path).order_by("code").first()
        return client

    def build_banner(self, campaign, survey_page):
        banner, _created = Banner.objects.update_or_create(
            title="Khảo sát mức độ hài lòng của người dân, tổ chức",
            defaults={
                "text": "Ông/Bà vừa giải quyết thủ tục hành chính tại Sở? Hãy cho chúng tôi "
                        "biết mức độ hài lòng của mình.",
                "button_label": "Tham gia khảo sát",
                "target_page": survey_page, "campaign": campaign,
                "shows_from": None, "shows_until": None,
            })
        for site in Site.objects.all():
            site_settings = SatisfactionSettings.for_site(site)
            site_settings.site_banner = banner
            site_settings.save()
        return banner

    def build_accounts(self, groups):
        User = get_user_model()
        for username, password, first, last, group in ACCOUNTS:
            user = User.objects.filter(username=username).first() or User(username=username)
            user.first_name, user.last_name = first, last
            user.email = f"{username}@so-khcn.example.gov.vn"
            user.is_active = True
            user.is_staff = user.is_superuser = group is None
            user.set_password(password)
            user.save()
            user.groups.set([groups[group]] if group else [])
        return Group.objects.filter(name__in=groups)

    # -- responses ----------------------------------------------------------------------

    def build_responses(self, campaign, count):
        if campaign.responses.exists() or count <= 0:
            return 0
        rng = random.Random(f"{SEED}-{campaign.slug}")
        questions = list(campaign.questionnaire.questions().order_by(
            "factor__sort_order", "sort_order"))
        procedures = list(campaign.procedures())
        officers = list(campaign.officers())
        tz = ZoneInfo(settings.TIME_ZONE)
        now = timezone.now()
        days = max((self.today - campaign.opens_on).days, 1)
        channels, channel_weights = zip(*CHANNEL_WEIGHTS, strict=True)
        for n in range(count):
            channel = rng.choices(channels, channel_weights)[0]
            procedure = rng.choice(procedures) if procedures else None
            # Mostly the officer of the procedure's own unit, as the form would be filled.
            near = [o for o in officers if procedure and o.unit_id == procedure.unit_id]
            officer = rng.choice(near or officers) if officers and rng.random() < 0.85 else None
            mood = rng.choices(("good", "normal", "weak"),
                               self.officer_moods.get(officer.pk, (5, 4, 1)) if officer
                               else (5, 4, 1))[0]
            day = self.today - datetime.timedelta(days=rng.randrange(days))
            hour = rng.randrange(7, 22) if channel == Channel.WEBSITE else rng.randrange(7, 17)
            submitted_at = datetime.datetime.combine(
                day, datetime.time(hour, rng.randrange(60), rng.randrange(60)), tzinfo=tz)
            submitted_at = min(submitted_at, now - datetime.timedelta(minutes=n + 1))
            has_dossier = channel in (Channel.KIOSK, Channel.DOSSIER_LINK) or rng.random() < 0.6
            comment = ""
            if rng.random() < 0.3:
                kind = "off_topic" if rng.random() < 0.15 else mood
                comment = rng.choice(COMMENTS[kind])
            email = ""
            if channel in (Channel.WEBSITE, Channel.EMAIL) and rng.random() < 0.4:
                email = f"{rng.choice(EMAIL_NAMES)}.{rng.choice(FAMILY_NAMES)}{n}@example.com"
            submit_response(
                campaign, answers=self.answers(rng, questions, mood), channel=channel,
                procedure=procedure, officer=officer,
                dossier_code=(f"000.00.36.H36-{day:%y%m%d}-{n + 1:04d}" if has_dossier else ""),
                email=email,
                comment=comment, submitted_at=submitted_at, check_open=False,
            )
        return count

    def answers(self, rng, questions, mood):
        answers = {}
        for question in questions:
            scale = question.scale
            if scale == "satisfaction5":
                # Feedback handling (factor 5) is the part most people never used.
                not_applicable = 0.2 if question.factor.code == "5" else 0.03
                answers[question] = (None if rng.random() < not_applicable else
                                     rng.choices((1, 2, 3, 4, 5), SATISFACTION_WEIGHTS[mood])[0])
            elif scale == "points0_2":
                answers[question] = rng.choices((2, 1, 0), POINT_WEIGHTS[mood])[0]
            elif scale == "yes_no":
                answers[question] = 1 if rng.random() < (0.08 if mood == "weak" else 0.01) else 0
            elif scale == "expectation3":
                answers[question] = rng.choices((3, 2, 1), (4, 4, 2))[0]
        return answers

    # -- collection channels ------------------------------------------------------------

    def build_dossiers(self, units, procedures):
        """Dossiers received over the last three months; only when the demo has none."""
        scope = [unit for code in DOSSIER_PREFIXES for unit in Unit.objects.within(units[code])]
        if Dossier.objects.filter(unit__in=scope).exists():
            return 0
        rng = random.Random(f"{SEED}-dossiers")
        officers = {}
        for officer in Officer.objects.filter(is_active=True).order_by("name"):
            officers.setdefault(officer.unit_id, []).append(officer)
        ward = units["ubnd-phuong-xuan-huong"]
        ward_procedures = [p for p in procedures if p.unit_id == ward.pk]
        department_procedures = [p for p in procedures if p.unit_id != ward.pk]
        # Seeded, unlike real secret codes, so that two builds make the same dossiers.
        secret_length = get_setting("DOSSIER_SECRET_LENGTH")
        new = []
        for n in range(DOSSIER_COUNT):
            at_ward = n % 4 == 3
            procedure = rng.choice(ward_procedures if at_ward else department_procedures)
            received = self.today - datetime.timedelta(days=rng.randrange(2, 95))
            # Ward procedures take days, the department's take weeks (calendar days here).
            due = received + datetime.timedelta(
                days=rng.randrange(1, 6) if at_ward else rng.randrange(7, 25))
            returned = due + datetime.timedelta(days=rng.choice((-3, -2, -1, 0, 0, 0, 2, 4)))
            returned = max(returned, received)
            if returned > self.today or rng.random() < 0.2:
                returned = None  # still being handled: pending, or overdue once due passes
            organisation = not at_ward and rng.random() < 0.5
            applicant = rng.choice(ORGANISATIONS if organisation else APPLICANTS)
            email = ""
            if rng.random() < 0.55:
                email = (f"{rng.choice(EMAIL_NAMES)}.{rng.choice(FAMILY_NAMES)}"
                         f"{n + 1}@example.com")
            prefix = DOSSIER_PREFIXES["ubnd-phuong-xuan-huong" if at_ward else "so-khcn"]
            nearby = officers.get(procedure.unit_id, [])
            new.append(Dossier(
                code=f"{prefix}-{received:%y%m%d}-{n + 1:04d}", unit=procedure.unit,
                procedure=procedure,
                officer=rng.choice(nearby) if nearby and rng.random() < 0.9 else None,
                applicant_name=applicant, email=email,
                phone=f"0{rng.choice((90, 91, 98, 263))}{rng.randrange(10**6, 10**7)}"
                if rng.random() < 0.9 else "",
                received_on=received, due_on=due, returned_on=returned,
                secret_code="".join(rng.choice(SECRET_ALPHABET) for _i in range(secret_length)),
                opted_out=bool(email) and rng.random() < 0.1,
            ))
        for dossier in new:
            dossier.full_clean()
        Dossier.objects.bulk_create(new)
        return len(new)

    def demo_dossiers(self):
        starts = Q()
        for prefix in DOSSIER_PREFIXES.values():
            starts |= Q(code__startswith=f"{prefix}-")
        return (Dossier.objects.filter(starts).select_related("unit", "procedure", "officer")
                .order_by("code"))

    def rate_dossiers(self):
        """About one returned dossier in seven was already rated through its slip's link."""
        created = 0
        now = timezone.now()
        tz = ZoneInfo(settings.TIME_ZONE)
        for dossier in self.demo_dossiers().filter(returned_on__isnull=False):
            rng = random.Random(f"{SEED}-{dossier.code}")
            if rng.random() >= 0.15:
                continue
            campaign = dossiers.campaign_for(dossier, self.today)
            if campaign is None or dossiers.is_rated(dossier, campaign):
                continue
            mood = rng.choices(("good", "normal", "weak"), self.officer_moods.get(
                dossier.officer_id, (5, 4, 1)))[0]
            questions = list(campaign.questionnaire.questions().order_by(
                "factor__sort_order", "sort_order"))
            day = min(dossier.returned_on + datetime.timedelta(days=rng.randrange(3)),
                      self.today)
            submitted_at = min(datetime.datetime.combine(
                day, datetime.time(rng.randrange(8, 21), rng.randrange(60)), tzinfo=tz),
                now - datetime.timedelta(minutes=created + 1))
            submit_response(campaign, answers=self.answers(rng, questions, mood),
                            channel=Channel.DOSSIER_LINK, submitted_at=submitted_at,
                            check_open=False, dossier_proven=True,
                            **dossiers.fixed_values(dossier))
            created += 1
        return created

    def build_kiosk(self, campaign, units):
        """One active counter tablet for the department's campaign; its key is kept."""
        kiosk = KioskKey.objects.filter(campaign=campaign, name=KIOSK_NAME).first()
        if kiosk is None:
            kiosk = KioskKey(campaign=campaign, name=KIOSK_NAME)
        kiosk.unit, kiosk.active = units["so-khcn"], True
        kiosk.save()
        return kiosk

    def type_paper_forms(self, campaign):
        """A few paper forms typed in by the one-stop-shop staff, through the entry form."""
        user = get_user_model().objects.get(username=PAPER_TYPIST)
        questions = list(campaign.questionnaire.questions().order_by(
            "factor__sort_order", "sort_order"))
        procedures = list(campaign.procedures().order_by("code"))
        officers = list(campaign.officers().order_by("name"))
        created = 0
        for number, batch, channel, days_ago in PAPER_FORMS:
            form_number = f"{campaign.pk}-{number:05d}"
            if campaign.staff_entries.filter(form_number=form_number).exists():
                continue
            rng = random.Random(f"{SEED}-paper-{number}")
            procedure = rng.choice(procedures)
            officer = rng.choice([o for o in officers if o.unit_id == procedure.unit_id]
                                 or officers)
            mood = rng.choices(("good", "normal", "weak"),
                               self.officer_moods.get(officer.pk, (5, 4, 1)))[0]
            data = {"form_number": form_number, "batch": batch, "channel": channel,
                    "filled_on": f"{self.today - datetime.timedelta(days=days_ago):%d/%m/%Y}",
                    "procedure": procedure.pk, "officer": officer.pk,
                    "comment": rng.choice(COMMENTS[mood]) if rng.random() < 0.4 else ""}
            for question, value in self.answers(rng, questions, mood).items():
                data[question_field_name(question)] = (paper.NOT_APPLICABLE_DIGIT
                                                       if value is None else str(value))
            form = paper.StaffEntryForm(data, campaign=campaign)
            if not form.is_valid():
                raise ValueError(f"Demo paper form {form_number}: {form.errors.as_text()}")
            paper.enter_response(form, user)
            created += 1
        return created

    def dossiers_to_try(self):
        """One dossier per campaign unit that can be rated now and was not rated yet."""
        picked = []
        for prefix in DOSSIER_PREFIXES.values():
            for dossier in self.demo_dossiers().filter(code__startswith=prefix,
                                                       returned_on__isnull=False):
                campaign = dossiers.campaign_for(dossier, self.today)
                if campaign and not dossiers.is_rated(dossier, campaign):
                    picked.append(dossier)
                    break
        return picked
