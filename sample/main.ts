import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';

import { AppModule } from './app.module.js';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create(AppModule);
  app.enableShutdownHooks();
  const port = Number(process.env.PORT ?? 3000);
  await app.listen(port);
  const base = `http://localhost:${port}`;
  console.log(`nestjs-fresh-cache sample listening on ${base}`);
  console.log(`  try: curl ${base}/commands/users   (twice: the second answer is cached)`);
  console.log(`       curl ${base}/cache/stats`);
}

void bootstrap();
