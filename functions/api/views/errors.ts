/** Error and sign-in pages: one line that says what went wrong, never a stack trace. */
import { h, page, type Html, type PageOptions } from './html';

const TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Sign-in needed',
  404: 'Not found',
  500: 'Something went wrong',
  503: 'Not available',
};

export function errorPage(status: number, message: string, o: Omit<PageOptions, 'title'> = {}): Html {
  const title = TITLES[status] ?? 'Error';
  return page(
    { ...o, title },
    h`<h1>${title}</h1>
<p class="notice bad">${message}</p>
<p><a href="/">Back to the board</a></p>`,
  );
}

export function signedOutPage(): Html {
  return page({ title: 'Signed out' }, h`<h1>You are signed out</h1><p><a href="/login">Sign in again</a></p>`);
}

export function signInFailedPage(message: string): Html {
  return page(
    { title: 'Sign-in failed' },
    h`<h1>Sign-in failed</h1><p class="notice bad">${message}</p><p><a href="/login">Try again</a></p>`,
  );
}
