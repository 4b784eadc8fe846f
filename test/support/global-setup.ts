import { createTemplateDatabase, TEMPLATE_ENV } from './template-database';

export default async function globalSetup(): Promise<void> {
  const url = process.env.TEST_DATABASE_URL;
  if (url) process.env[TEMPLATE_ENV] = await createTemplateDatabase(url);
}
