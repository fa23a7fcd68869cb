# Django's own zh_Hans formats pad the month ("03月5日"); people write
# 3月5日. Only what differs from Django's is set here.
MONTH_DAY_FORMAT = "n月j日"
DATE_FORMAT = "Y年n月j日"
