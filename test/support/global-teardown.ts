import { dropDatabase, TEMPLATE_ENV } from './template-database';

export default async function globalTeardown(): Promise<void> {
  const url = process.env.TEST_DATABASE_URL;
  const template = process.env[TEMPLATE_ENV];
  if (url && template) await dropDatabase(url, template);
}
