import { expect, type Locator, type Page } from "@playwright/test";

/** The /dashboard page. */
export class DashboardPage {
  constructor(readonly page: Page) {}

  async goto() {
    await this.page.goto("/dashboard");
    await expect(this.page.getByRole("heading", { name: "Pipeline dashboard" })).toBeVisible();
  }

  healthTile(name: string): Locator {
    return this.page.getByTestId(`health-${name}`);
  }

  layerRecords(layer: string): Locator {
    return this.page.getByTestId(`layer-records-${layer}`);
  }

  lakeRow(layer: string, table: string): Locator {
    return this.page.getByTestId(`lake-${layer}-${table}`);
  }

  topic(name: string): Locator {
    return this.page.getByTestId(`topic-${name}`);
  }

  runs(): Locator {
    return this.page.getByTestId("run");
  }

  /** The raw value (data-value) of a numeric field inside `scope`. */
  async value(scope: Locator, field?: string): Promise<string | null> {
    const target = field ? scope.locator(`[data-field="${field}"]`) : scope;
    return target.getAttribute("data-value");
  }
}
