import { readFileSync } from 'node:fs';
import { Controller, Get, Header } from '@nestjs/common';

// The analyst dashboard: plain HTML, CSS and one script, no build step, nothing from a CDN. The
// files sit in services/experiment/dashboard (one level above both src/ and dist/).
const folder = new URL('../../dashboard/', import.meta.url);
const read = (name: string) => readFileSync(new URL(name, folder), 'utf8');
const files = { html: read('index.html'), script: read('dashboard.js'), style: read('dashboard.css') };

const POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

@Controller()
export class DashboardHttpController {
  @Get('dashboard')
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('content-security-policy', POLICY)
  @Header('cache-control', 'no-cache')
  page(): string {
    return files.html;
  }

  @Get('dashboard/dashboard.js')
  @Header('content-type', 'text/javascript; charset=utf-8')
  @Header('cache-control', 'no-cache')
  script(): string {
    return files.script;
  }

  @Get('dashboard/dashboard.css')
  @Header('content-type', 'text/css; charset=utf-8')
  @Header('cache-control', 'no-cache')
  style(): string {
    return files.style;
  }
}
