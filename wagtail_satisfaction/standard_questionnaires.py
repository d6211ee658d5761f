"""The two standard questionnaires the app ships, ready to use.

* SIPAS service part (QĐ 1001/QĐ-BNV), items 15–33 in 5 factors, with expectations;
* the 9 TTHC handling indicators (Decree 61/2018 art. 31, Circular 01/2018/TT-VPCP art. 13),
  0–2 points each, 18 in all.

Wording follows DOMAIN.md ("[check]" there): agencies adjust it by creating a new version.
The text is content in Vietnamese, like any questionnaire an agency types in.
"""

from django.db import transaction

SIPAS_CODE = "sipas-dich-vu"
TTHC_CODE = "tthc-9-chi-so"

SIPAS = {
    "code": SIPAS_CODE,
    "name": "Khảo sát sự hài lòng về dịch vụ hành chính công (SIPAS)",
    "kind": "sipas",
    "description": "Phần đánh giá dịch vụ theo Quyết định 1001/QĐ-BNV, câu 15–33.",
    "factors": [
        ("1", "Tiếp cận dịch vụ", True, "satisfaction5", [
            ("15", "Thông tin về giải quyết TTHC được cung cấp theo nhiều hình thức, "
                   "dễ tiếp cận, dễ hiểu"),
            ("16", "Trụ sở có biển hiệu, hướng dẫn rõ ràng, dễ thấy"),
            ("17", "Trụ sở sạch sẽ, văn minh"),
            ("18", "Trang thiết bị phục vụ đầy đủ, chất lượng tốt"),
        ]),
        ("2", "Thủ tục hành chính", True, "satisfaction5", [
            ("19", "TTHC được niêm yết công khai, dễ thấy, dễ hiểu"),
            ("20", "Thành phần hồ sơ phải nộp đúng quy định"),
            ("21", "Phí, lệ phí phải nộp đúng quy định"),
            ("22", "Thời hạn giải quyết đúng quy định"),
        ]),
        ("3", "Công chức trực tiếp giải quyết công việc", True, "satisfaction5", [
            ("23", "Công chức giao tiếp lịch sự, tôn trọng"),
            ("24", "Công chức trả lời kịp thời, đầy đủ các ý kiến, thắc mắc"),
            ("25", "Công chức hướng dẫn dễ hiểu, hoàn thiện hồ sơ sau một lần"),
            ("26", "Công chức tuân thủ đúng quy định trong giải quyết công việc"),
            ("27", "Công chức tận tình giúp đỡ"),
        ]),
        ("4", "Kết quả cung ứng dịch vụ", True, "satisfaction5", [
            ("28", "Kết quả được trả đúng hẹn"),
            ("29", "Kết quả có thông tin đầy đủ, chính xác"),
            ("30", "Kết quả giải quyết công bằng"),
        ]),
        ("5", "Tiếp nhận, xử lý góp ý, phản ánh, kiến nghị", True, "satisfaction5", [
            ("31", "Có hình thức tiếp nhận góp ý, phản ánh, kiến nghị; dễ dàng phản ánh"),
            ("32", "Góp ý, phản ánh, kiến nghị được tiếp nhận, xử lý đúng quy định"),
            ("33", "Kết quả xử lý góp ý, phản ánh, kiến nghị được thông báo kịp thời"),
        ]),
        ("MD", "Mong đợi cải thiện", False, "expectation3", [
            ("MD1", "Cung cấp thông tin về dịch vụ"),
            ("MD2", "Trụ sở và trang thiết bị"),
            ("MD3", "Năng lực của công chức"),
            ("MD4", "Thái độ phục vụ của công chức"),
            ("MD5", "Ứng dụng công nghệ thông tin, chuyển đổi số"),
            ("MD6", "Tiếp nhận và giải quyết góp ý, phản ánh, kiến nghị"),
            ("MD7", "Chất lượng dịch vụ"),
        ]),
        ("K", "Thông tin khác", False, "yes_no", [
            ("K1", "Ông/Bà có bị gây phiền hà, sách nhiễu hoặc phải trả chi phí không chính thức?"),
        ]),
    ],
}

# The 0–2 point labels of each indicator ("value|label" per line).
_TIME = "2|Trước hạn\n1|Đúng hạn\n0|Quá hạn"
TTHC = {
    "code": TTHC_CODE,
    "name": "Đánh giá việc giải quyết thủ tục hành chính (9 chỉ số, 18 điểm)",
    "kind": "tthc",
    "description": "Theo Điều 31 Nghị định 61/2018/NĐ-CP và Điều 13 Thông tư 01/2018/TT-VPCP.",
    "factors": [
        ("TTHC", "Chỉ số đánh giá giải quyết TTHC", True, "points0_2", [
            ("1", "Tổng thời gian giải quyết TTHC so với quy định", _TIME),
            ("2", "Thời gian thực hiện của từng cơ quan, đơn vị tham gia giải quyết", _TIME),
            ("3", "Số lần phải liên hệ để hoàn thiện hồ sơ",
             "2|Không phải bổ sung\n1|Bổ sung một lần\n0|Bổ sung nhiều lần"),
            ("4", "Số cơ quan, đơn vị phải liên hệ",
             "2|Chỉ Bộ phận Một cửa\n1|Thêm một cơ quan\n0|Nhiều cơ quan"),
            ("5", "Tiếp nhận và trả kết quả tại Bộ phận Một cửa",
             "2|Đúng quy định\n1|Một phần\n0|Không"),
            ("6", "Công khai thủ tục hành chính",
             "2|Đầy đủ, đúng quy định\n1|Chưa đầy đủ\n0|Không công khai"),
            ("7", "Thái độ của cán bộ, công chức khi giải quyết TTHC",
             "2|Lịch sự, tận tình\n1|Bình thường\n0|Gây phiền hà, sách nhiễu"),
            ("8", "Tiếp nhận, xử lý góp ý, phản ánh, kiến nghị",
             "2|Kịp thời, đúng quy định\n1|Chậm\n0|Không được xử lý"),
            ("9", "Tiến độ và chất lượng cung cấp dịch vụ công trực tuyến",
             "2|Đúng hạn, chất lượng tốt\n1|Đáp ứng một phần\n0|Không đáp ứng"),
        ]),
    ],
}

STANDARD = (SIPAS, TTHC)


@transaction.atomic
def install_standard_questionnaires(apps=None):
    """Create version 1 of each standard questionnaire unless it already exists.

    ``apps`` is the migration state registry when called from a data migration.
    """
    if apps is None:
        from django.apps import apps as global_apps

        apps = global_apps
    Questionnaire = apps.get_model("wagtail_satisfaction", "Questionnaire")
    Factor = apps.get_model("wagtail_satisfaction", "Factor")
    Question = apps.get_model("wagtail_satisfaction", "Question")
    created = []
    for spec in STANDARD:
        if Questionnaire.objects.filter(code=spec["code"]).exists():
            continue
        questionnaire = Questionnaire.objects.create(
            code=spec["code"], name=spec["name"], kind=spec["kind"],
            description=spec["description"], version=1,
        )
        for f_order, (code, title, in_index, scale, questions) in enumerate(spec["factors"]):
            factor = Factor.objects.create(questionnaire=questionnaire, sort_order=f_order,
                                           code=code, title=title, counts_in_index=in_index)
            for q_order, item in enumerate(questions):
                q_code, text = item[0], item[1]
                Question.objects.create(
                    factor=factor, sort_order=q_order, code=q_code, text=text, scale=scale,
                    required=scale in ("satisfaction5", "points0_2"),
                    option_labels=item[2] if len(item) > 2 else "",
                )
        created.append(questionnaire)
    return created
