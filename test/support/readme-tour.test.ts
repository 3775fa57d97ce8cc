// Unit tests of the README tour extraction (pure text): joining, comments, quotes, the sample listing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { stripComment, tourCommands, tourSampleListing } from './readme-tour.ts';

const doc = [
  '# Title', '', '## A five-minute tour (x)', '', '```sh',
  'export A=/x/y.yaml',
  'kubectl get nodes        # this host',
  '# a whole comment line',
  'kubectl run c -- \\',
  "  sh -c 'echo a # not a comment' \"b # c\"   # but this is",
  '', '```', '', 'text', '', '```', 'NAME   READY', 'a-myhost   1/1', 'b-myhost   1/1', '```', '',
].join('\n');

test('the tour: continuation lines joined, comments outside quotes dropped, blank lines skipped', () => {
  assert.deepEqual(tourCommands(doc), [
    'export A=/x/y.yaml',
    'kubectl get nodes',
    "kubectl run c -- sh -c 'echo a # not a comment' \"b # c\"",
  ]);
  assert.deepEqual(tourSampleListing(doc), { header: ['NAME', 'READY'], names: ['a-myhost', 'b-myhost'] });
});

test('comments: a # inside a word or quotes stays', () => {
  assert.equal(stripComment('echo a#b "#" \'#\' # x'), 'echo a#b "#" \'#\'');
  assert.equal(stripComment('# all'), '');
  assert.equal(stripComment('echo \\# y'), 'echo \\# y');
});

test('a README without the tour is an error, not an empty tour', () => {
  assert.throws(() => tourCommands('# nothing\n'), /no "## A five-minute tour" section/);
});

test("the repository's README has a tour with kubectl get pods -n kube-system and its sample listing", () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  assert.ok(tourCommands(readme).includes('kubectl get pods -n kube-system'));
  assert.deepEqual(tourSampleListing(readme).header, ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
});
