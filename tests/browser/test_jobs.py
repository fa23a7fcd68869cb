"""The system administrator finds a failed background job, reads why it
failed and retries it, in a real browser."""

import pytest
from playwright.sync_api import expect

from gongzhi.jobs.services import job_enqueue
from gongzhi.jobs.worker import Worker
from gongzhi.requests.tasks import sweep_overdue_task

from .conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def failed_sweep(settings, areas):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.GONGZHI_TASK_ATTEMPTS = 2
    settings.GONGZHI_TASK_BACKOFF = 0
    job_enqueue(task=sweep_overdue_task, kwargs={"now": "昨天下午"})
    Worker(scheduler=False, stop_when_idle=True, interval=0).run()


def test_the_system_administrator_reads_a_failure_and_retries_it(page, failed_sweep):
    log_in(page, "13800000010")
    page.get_by_role("link", name="后台任务").click()
    expect(page.get_by_role("heading", name="后台任务")).to_be_visible()
    expect(page.locator("body")).to_contain_text("requests-sweep")
    screenshot(page, "jobs-schedule")

    page.get_by_role("link", name="失败的任务 (1)").click()
    row = page.locator("tbody tr").first
    expect(row).to_contain_text("sweep_overdue_task")
    expect(row).to_contain_text("ValueError: Invalid isoformat string: '昨天下午'")
    expect(row.locator(".jobs-trace").first).to_contain_text("tasks.py")
    expect(row.locator("td").nth(2)).to_have_text("2")  # attempts
    screenshot(page, "jobs-failures")

    row.get_by_role("button", name="重试").click()
    expect(page.get_by_role("status")).to_contain_text("任务已重新排队。")
    expect(page.locator("tbody")).to_contain_text("没有失败的任务。")
    screenshot(page, "jobs-retried")


def test_other_administrators_do_not_see_background_jobs(page, areas):
    for phone in ("13800000011", "13800000012"):
        log_in(page, phone)
        expect(page.get_by_role("link", name="后台任务")).to_have_count(0)
        response = page.goto(page.base + "/workbench/jobs/failures/")
        assert response.status == 404
        page.context.clear_cookies()
