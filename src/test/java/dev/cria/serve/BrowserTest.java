package dev.cria.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cria.world.InstructionGenerator;
import dev.cria.chat.PreferenceExample;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A real browser (Debian's headless Chromium through chromedriver) signs in, labels pairs with the
 * mouse and the keyboard, sees a model answer full of markup shown as plain text, rates and edits
 * single answers, chats with two models side by side in the playground, and trains rounds from the
 * admin page (PPO, then KTO on the ratings, then online DPO on pairs the policy writes from the admin
 * page); the labels and the edit appear in the exports. Screenshots of the compare page and the
 * dashboard go to target/screenshots, or to docs/ for the README with {@code -Dcria.screenshots=docs}.
 * Skipped where chromedriver is not installed, except under CI, whose script installs it.
 */
class BrowserTest {
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final String EVIL = "<script>alert('owned')</script><img src=x onerror=\"alert(1)\"> <b>not bold</b>";

    @TempDir
    Path tmp;

    static RoundConfig quickRound() {
        return new RoundConfig(RoundMethod.PPO, 30, 8, 1e-3, 6, 4, 1e-4, 0.05, 20, 1e-4, 0.1, 24, 1f, 3, 8, 2);
    }

    @Test
    void labellingThroughTheUiEndsUpInTheExport() throws Exception {
        boolean installed = Files.isExecutable(CHROMEDRIVER) && Files.isExecutable(CHROMIUM);
        if (System.getenv("CI") != null) assertThat(installed).as("CI must install chromium and chromium-driver (.ci/run)").isTrue();
        assumeTrue(installed, "chromium and chromium-driver are not installed");
        try (var f = new ServeFixture(tmp, ServeFixture.randomModel(tmp), quickRound())) {
            // built-in example stories stand in for model answers, so the screenshot shows readable text
            List<PreferenceExample> examples = new InstructionGenerator(4).preferences(6);
            for (int i = 0; i < examples.size(); i++) {
                var e = examples.get(i);
                f.run.items.addPair(e.prompt(), i % 2 == 0 ? e.chosen() : e.rejected(), i % 2 == 0 ? e.rejected() : e.chosen(), "base", "base");
            }
            long evil = f.run.items.addPair("Write a story about a fox. " + EVIL, EVIL, "A fox ran home.", "base", "base");
            f.run.items.addSingle(examples.get(0).prompt(), examples.get(0).chosen(), "base");
            f.run.items.addSingle(examples.get(1).prompt(), "Once upon a time there was a horse.", "base");

            WebDriver browser = chromium();
            try {
                // the pages re-render as they poll, so an element found a moment ago may be gone: look again
                var wait = new WebDriverWait(browser, Duration.ofSeconds(20));
                wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
                signIn(browser, wait, f, f.alice);
                wait.until(d -> d.findElement(By.id("answer-a")).getText().length() > 20);
                screenshot(browser, "compare.png");

                String first = browser.findElement(By.id("labeller")).getDomAttribute("data-item");
                browser.findElement(By.id("comment")).sendKeys("A keeps to the request");
                browser.findElement(By.id("choose-a")).click();
                waitForNextItem(wait, browser, first);
                for (String key : List.of("2", "1", "t", "x", "b")) {
                    String shown = browser.findElement(By.id("labeller")).getDomAttribute("data-item");
                    new Actions(browser).sendKeys(key).perform();
                    waitForNextItem(wait, browser, shown);
                }
                // the seventh item is the one whose answer is full of markup
                assertThat(browser.findElement(By.id("labeller")).getDomAttribute("data-item")).isEqualTo(Long.toString(evil));
                assertThat(browser.findElement(By.id("answer-a")).getText()).isEqualTo(EVIL);
                assertThat(browser.findElements(By.cssSelector("#answer-a img, #answer-a b, #answer-a script"))).isEmpty();
                assertNoAlert(browser);
                browser.findElement(By.id("choose-b")).click();
                wait.until(d -> !d.findElement(By.id("empty")).getDomProperty("hidden").equals("true"));
                wait.until(d -> "[]".equals(((JavascriptExecutor) d).executeScript("return localStorage.getItem('cria-pending-labels')")));
                assertNoAlert(browser);

                String export = f.as(f.admin).get("/api/export?format=preference").body();
                assertThat(export.strip().split("\n")).hasSize(5);   // a, b, a, b, b; the tie and "both bad" are not preferences
                assertThat(export).contains("\"labeller\":\"alice\"").contains(examples.get(0).prompt()).contains("onerror");
                assertThat(f.as(f.alice).get("/api/labels").json().get("labels")).hasSize(7);
                assertThat(f.as(f.alice).get("/api/labels").body()).contains("A keeps to the request");

                browser.get(f.url() + "/rate");
                String rated = browser.findElement(By.id("labeller")).getDomAttribute("data-item");
                new Actions(browser).sendKeys("+").perform();
                waitForNextItem(wait, browser, rated);
                new Actions(browser).sendKeys("e").perform();
                var editor = browser.findElement(By.id("edited"));
                editor.clear();
                editor.sendKeys("Once upon a time there was a horse named Jake. He found a new friend. The end.");
                editor.sendKeys(Keys.ESCAPE);
                new Actions(browser).sendKeys("-").perform();
                wait.until(d -> !d.findElement(By.id("empty")).getDomProperty("hidden").equals("true"));
                wait.until(d -> "[]".equals(((JavascriptExecutor) d).executeScript("return localStorage.getItem('cria-pending-labels')")));
                String sft = f.as(f.admin).get("/api/export?format=sft").body();
                assertThat(sft).contains("He found a new friend. The end.").contains(examples.get(0).prompt());

                browser.get(f.url() + "/playground");
                new Select(browser.findElement(By.id("model-b"))).selectByVisibleText("base");
                browser.findElement(By.id("message")).sendKeys("Tell me a story.");
                browser.findElement(By.id("send")).click();
                wait.until(d -> d.findElements(By.cssSelector("#chat-a .msg.assistant.done")).size() == 1
                        && d.findElements(By.cssSelector("#chat-b .msg.assistant.done")).size() == 1);
                assertThat(browser.findElement(By.cssSelector("#chat-a .msg.user")).getText()).isEqualTo("Tell me a story.");
                assertThat(browser.findElement(By.cssSelector("#chat-b .msg.assistant")).getText()).doesNotStartWith("Error");

                new SimulatedLabeller(f.url(), f.bob.apiKey(), 0).label("pair", 7);
                browser.findElement(By.id("logout")).click();
                wait.until(d -> d.getCurrentUrl().endsWith("/login"));
                signIn(browser, wait, f, f.admin);
                browser.get(f.url() + "/admin");
                browser.findElement(By.cssSelector("button.deactivate-user[data-name='bob']")).click();
                wait.until(ExpectedConditions.alertIsPresent()).accept();
                wait.until(d -> d.findElement(By.xpath("//tr[td='bob']")).getText().contains("deactivated"));
                assertThat(f.as(f.bob).get("/api/me").status()).as("deactivated on the admin page").isEqualTo(401);
                browser.findElement(By.id("train")).click();
                wait.until(d -> d.findElement(By.id("train-status")).getText().contains("Training started"));
                awaitRound(f, 1);

                // KTO on alice's two ratings from the rate page, then online DPO on pairs the new policy writes
                new Select(browser.findElement(By.id("train-method"))).selectByValue("kto");
                browser.findElement(By.id("train")).click();
                wait.until(d -> d.findElement(By.id("train-status")).getText().contains("kto on 2 labels"));
                awaitRound(f, 2);
                browser.get(f.url() + "/admin");
                browser.findElement(By.id("add-builtin")).click();
                wait.until(d -> d.findElement(By.tagName("main")).getText().contains("100 prompts"));
                new Select(browser.findElement(By.id("gen-kind"))).selectByValue("pair");
                browser.findElement(By.id("gen-count")).clear();
                browser.findElement(By.id("gen-count")).sendKeys("6");
                browser.findElement(By.id("generate")).click();
                wait.until(d -> d.findElement(By.id("jobs")).getText().contains("6/6"));
                Client alice = f.as(f.alice);
                for (int i = 0; i < 6; i++) {
                    long item = alice.get("/api/next?kind=pair").json().get("item").get("id").asLong();
                    assertThat(f.run.items.get(item).modelB()).as("two samples of the KTO round's policy").isEqualTo("round-2");
                    RoundKindsTest.label(alice, item, i % 2 == 0 ? "a" : "b");
                }
                browser.navigate().refresh();
                assertThat(browser.findElement(By.id("train-data")).getText()).contains("6 choices between round-2's own answers");
                new Select(browser.findElement(By.id("train-method"))).selectByValue("online-dpo");
                browser.findElement(By.id("train")).click();
                wait.until(d -> d.findElement(By.id("train-status")).getText().contains("online-dpo on 6 labels"));
                awaitRound(f, 3);
                FullRoundTest.waitFor(() -> f.run.items.count(Item.PAIR) == 7 + 6 + 6, 60);
                assertThat(f.run.items.recent(1).getFirst().modelA()).as("the online round's policy writes the next pairs").isEqualTo("round-3");

                browser.get(f.url() + "/dashboard");
                assertThat(browser.findElement(By.id("rounds")).getText()).contains("done").contains("kto").contains("online-dpo");
                assertThat(browser.findElement(By.id("per-person")).getText()).as("a deactivated labeller's labels stay").contains("alice").contains("bob");
                assertThat(browser.findElements(By.cssSelector(".chart polyline"))).isNotEmpty();
                browser.manage().window().setSize(new Dimension(1280, 1480));   // the whole dashboard, charts included
                screenshot(browser, "dashboard.png");
            } finally {
                browser.quit();
                deleteProfile();
            }
        }
    }

    /** Waits for round {@code id} to be recorded done; a failed round fails the test with its error. */
    private static void awaitRound(ServeFixture f, long id) throws Exception {
        FullRoundTest.waitFor(() -> {
            Round r = f.run.rounds.get(id);
            if (r != null && r.status().equals(Round.FAILED)) throw new AssertionError(r.error());
            return r != null && r.status().equals(Round.DONE);
        }, 180);
    }

    private Path profile;

    private void deleteProfile() throws java.io.IOException {
        try (var files = Files.walk(profile)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    private WebDriver chromium() throws Exception {
        profile = Files.createTempDirectory(tmp, "chromium");
        var options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--user-data-dir=" + profile,
                "--window-size=1280,860", "--force-device-scale-factor=1");
        var service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    private static void signIn(WebDriver browser, WebDriverWait wait, ServeFixture f, Accounts.Credentials who) {
        browser.get(f.url() + "/login");
        browser.findElement(By.id("name")).sendKeys(who.user().name());
        browser.findElement(By.id("password")).sendKeys(who.password());
        browser.findElement(By.id("sign-in")).click();
        wait.until(d -> d.getCurrentUrl().endsWith("/compare"));
    }

    private static void waitForNextItem(WebDriverWait wait, WebDriver browser, String previous) {
        wait.until(d -> {
            String now = d.findElement(By.id("labeller")).getDomAttribute("data-item");
            return !previous.equals(now) || d.findElement(By.id("task")).getDomProperty("hidden").equals("true");
        });
    }

    private static void assertNoAlert(WebDriver browser) {
        try {
            browser.switchTo().alert();
            throw new AssertionError("a script ran: an alert is open");
        } catch (NoAlertPresentException expected) {
            // model text stayed text
        }
    }

    private static void screenshot(WebDriver browser, String name) throws Exception {
        Path shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
        Path folder = Path.of(System.getProperty("cria.screenshots", "target/screenshots"));
        Files.createDirectories(folder);
        Files.copy(shot, folder.resolve(name), StandardCopyOption.REPLACE_EXISTING);
    }
}
